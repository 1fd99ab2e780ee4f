import type { CardOptions } from '../../core/card/schema.ts';
import type { ChatMessage } from '../../core/card/template.ts';

export type GenerateRequest = {
  /** `echo` or `ollama:<model>` as written in the card. */
  model: string;
  messages: ChatMessage[];
  /** The rendered prompt as one string (what `echo` returns). */
  text: string;
  options: CardOptions | undefined;
  /** The repeat index: each repeat is a separate sample (and cache entry). */
  sample: number;
  signal: AbortSignal;
};

export type Generation = {
  output: string;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  cacheHit: boolean;
};

export type Generator = (request: GenerateRequest) => Promise<Generation>;
