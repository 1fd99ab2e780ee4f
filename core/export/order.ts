import type { Result } from '../../db/schema.ts';

/**
 * Orders models as the run enumerated them (`options.models`); a model missing from that list
 * sorts after the listed ones, by name.
 */
export function compareModels(models: readonly string[]): (a: string, b: string) => number {
  const rank = (model: string) => {
    const index = models.indexOf(model);
    return index === -1 ? models.length : index;
  };
  return (a, b) => rank(a) - rank(b) || compareStrings(a, b);
}

/** Results in matrix order: case, then model, then repeat. Does not mutate `results`. */
export function orderResults(results: readonly Result[], models: readonly string[]): Result[] {
  const byModel = compareModels(models);
  return [...results].sort(
    (a, b) => a.caseIndex - b.caseIndex || byModel(a.model, b.model) || a.repeat - b.repeat,
  );
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
