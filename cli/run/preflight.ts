import { ollamaClient, ollamaModelName } from '../../activities/llm/ollama.ts';
import type { Card } from '../../core/card/schema.ts';

import { InputError } from '../errors.ts';

/**
 * Before a run that needs Ollama: fail fast when it is not reachable (a durable run would otherwise retry
 * for minutes), and warn about models that are not pulled (their cells will be stored as errors).
 */
export async function checkOllama(
  host: string,
  models: string[],
  warn: (line: string) => void,
): Promise<void> {
  const wanted = models.filter((m) => m.startsWith('ollama:')).map(ollamaModelName);
  if (wanted.length === 0) return;
  let available: string[];
  try {
    const { models: listed } = await ollamaClient(host, AbortSignal.timeout(3000)).list();
    available = listed.map((m) => m.name);
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new InputError(
      `Ollama is not reachable at ${host} (${reason}). Start it with \`ollama serve\`, or set OLLAMA_HOST.`,
    );
  }
  for (const model of wanted) {
    if (!available.some((name) => sameModel(name, model))) {
      warn(
        `warning: model "${model}" is not pulled in Ollama at ${host}: its cells will be errors (ollama pull ${model})`,
      );
    }
  }
}

/** Ollama calls `llama3` and `llama3:latest` the same model. */
function sameModel(a: string, b: string): boolean {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return withTag(a.toLowerCase()) === withTag(b.toLowerCase());
}

export function modelsOf(card: Card, override: string[] | undefined): string[] {
  return override ?? card.models;
}
