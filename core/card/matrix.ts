import { CARD_DEFAULTS, type Card } from './schema.ts';

/** One generation of a suite run: a case on a model, the n-th time. */
export interface Cell {
  /** `${caseIndex}/${model}/${repeat}`: unique within a run; model names may contain `/`, the ends never do. */
  key: string;
  caseIndex: number;
  caseName: string;
  model: string;
  /** 0-based. */
  repeat: number;
}

export interface MatrixOverrides {
  /** Run these models instead of the card's. */
  models?: string[];
  /** Run each case and model this many times instead of the card's `repeat`. */
  repeat?: number;
}

export function cellKey(caseIndex: number, model: string, repeat: number): string {
  return `${caseIndex}/${model}/${repeat}`;
}

/** Every cell of a run, case-major, then model, then repeat. */
export function expandMatrix(card: Card, overrides: MatrixOverrides = {}): Cell[] {
  const models = overrides.models ?? card.models;
  const repeats = overrides.repeat ?? card.repeat ?? CARD_DEFAULTS.repeat;
  if (models.length === 0) throw new RangeError('expandMatrix: at least one model is needed');
  if (new Set(models).size !== models.length) throw new RangeError('expandMatrix: models must be unique');
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`expandMatrix: repeat must be a positive integer, got ${repeats}`);
  }
  const cells: Cell[] = [];
  card.cases.forEach(({ name }, caseIndex) => {
    for (const model of models) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        cells.push({ key: cellKey(caseIndex, model, repeat), caseIndex, caseName: name, model, repeat });
      }
    }
  });
  return cells;
}
