// Public surface of the card spec: schema, parsing and validation, templating. The run matrix is core/run/cells.ts.
export { type ResolvedCase, resolveCase } from './cases.ts';
export { buildCardJsonSchema, CARD_SCHEMA_ID, cardJsonSchemaText } from './json-schema.ts';
export { CardError, type CardIssue, formatCardIssues, parseCard } from './parse.ts';
export { formatPath, type PathSegment } from './path.ts';
export * from './schema.ts';
export {
  type ChatMessage,
  type ChatRole,
  checkTemplateSyntax,
  promptTemplates,
  promptText,
  type RenderedPrompt,
  renderPrompt,
  TemplateError,
} from './template.ts';
export { type CardProblem, findCardProblems } from './validate.ts';
