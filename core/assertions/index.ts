// Public surface of the assertion engine.
export { type GradeOptions, gradeOutput } from './engine.ts';
export { InvalidAssertionError, ModelAssertionError } from './errors.ts';
export { buildJudgeMessages, JUDGE_VERDICT_SCHEMA, type JudgeVerdict, parseJudgeVerdict } from './rubric.ts';
export * from './schema.ts';
export type * from './types.ts';
export { validateAssertion } from './validate.ts';
