import type { Verdict } from './types.ts';

export function passed(reason: string, score = 1): Verdict {
  return { pass: true, score, reason };
}

export function failed(reason: string, score = 0): Verdict {
  return { pass: false, score, reason };
}
