import type { AssertionHandler } from './types.ts';
import { checkThreshold, forbidValue } from './values.ts';
import { failed, passed } from './verdict.ts';

// Checks on how the output was produced rather than what it says.

const latency: AssertionHandler = {
  validate: (a) => [
    ...forbidValue(a, 'set threshold to the max milliseconds'),
    ...checkThreshold(a, { required: true, min: 1, meaning: 'max milliseconds' }),
  ],
  grade: (a, { input }) => {
    const limit = a.threshold as number;
    const ms = Math.round(input.latencyMs);
    if (ms <= limit) return passed(`Latency ${ms} ms is within ${limit} ms`);
    return failed(`Expected latency at most ${limit} ms; took ${ms} ms`, limit / ms);
  },
};

const tokenLimit: AssertionHandler = {
  validate: (a) => [
    ...forbidValue(a, 'set threshold to the max completion tokens'),
    ...checkThreshold(a, { required: true, min: 1, meaning: 'max completion tokens' }),
  ],
  grade: (a, { input }) => {
    const limit = a.threshold as number;
    const used = input.tokens.completion;
    if (used <= limit) return passed(`Used ${used} completion tokens, within ${limit}`);
    return failed(`Expected at most ${limit} completion tokens; used ${used}`, limit / used);
  },
};

export const metadataHandlers = {
  latency,
  'token-limit': tokenLimit,
};
