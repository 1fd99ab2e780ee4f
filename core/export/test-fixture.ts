import type { Result, Run } from '../../db/schema.ts';
import type { ExportData } from './types.ts';

export const TRICKY_OUTPUT = 'He said "hi, there",\nthen <b>&amp;</b> AT&T; left.\u0001\r\nDone';

const MODELS = ['qwen2.5:7b', 'llama3.2:3b'];

export function fixtureRun(overrides: Partial<Run> = {}): Run {
  return {
    id: 'run_1',
    cardId: 'card_1',
    cardVersionId: 1,
    status: 'completed',
    trigger: 'cli',
    workflowId: 'suite-run-run_1',
    options: { models: MODELS, repeat: 2, concurrency: 2 },
    totalCells: 8,
    summary: { total: 8, passed: 5, failed: 2, errored: 1 },
    error: null,
    scheduleId: null,
    verdict: null,
    createdAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    startedAt: Date.UTC(2025, 0, 2, 3, 4, 6),
    finishedAt: null,
    ...overrides,
  };
}

let nextId = 1;

export function fixtureResult(
  overrides: Partial<Result> & Pick<Result, 'caseIndex' | 'model' | 'repeat'>,
): Result {
  const caseName = overrides.caseIndex === 0 ? 'greets' : 'quotes the user';
  return {
    id: nextId++,
    runId: 'run_1',
    cellKey: `${overrides.caseIndex}/${overrides.model}/${overrides.repeat}`,
    caseName,
    status: 'pass',
    score: 1,
    output: 'Hello!',
    renderedPrompt: `Prompt for ${caseName}`,
    assertions: [{ type: 'contains', pass: true, score: 1, reason: 'found "Hello"', weight: 1 }],
    metrics: {},
    reason: 'All assertions passed',
    errorType: null,
    latencyMs: 1250,
    promptTokens: 12,
    completionTokens: 3,
    cacheHit: false,
    attempts: 1,
    createdAt: Date.UTC(2025, 0, 2, 3, 5, 0),
    ...overrides,
  };
}

/** A failed cell whose output needs quoting in CSV, escaping in XML, and has a character XML forbids. */
export function failedResult(): Result {
  return fixtureResult({
    caseIndex: 1,
    model: 'qwen2.5:7b',
    repeat: 0,
    status: 'fail',
    score: 0.5,
    output: TRICKY_OUTPUT,
    assertions: [
      { type: 'contains', pass: false, score: 0, reason: 'expected "bye" in output', weight: 1 },
      { type: 'max-length', pass: true, score: 1, reason: 'length 52 <= 200', weight: 1 },
    ],
    reason: 'Score 0.5 below threshold 1:\nexpected "bye" in output',
    cacheHit: true,
  });
}

export function erroredResult(): Result {
  return fixtureResult({
    caseIndex: 1,
    model: 'llama3.2:3b',
    repeat: 0,
    status: 'error',
    score: 0,
    output: null,
    assertions: [],
    reason: 'The model did not answer within the cell timeout',
    errorType: 'timeout',
    latencyMs: null,
    promptTokens: null,
    completionTokens: null,
  });
}

/** Eight cells (2 cases × 2 models × 2 repeats), stored out of matrix order. */
export function fixtureData(): ExportData {
  const results = [
    failedResult(),
    fixtureResult({
      caseIndex: 1,
      model: 'llama3.2:3b',
      repeat: 1,
      status: 'fail',
      score: 0,
      reason: 'nope',
    }),
    erroredResult(),
    fixtureResult({ caseIndex: 1, model: 'qwen2.5:7b', repeat: 1 }),
    fixtureResult({ caseIndex: 0, model: 'llama3.2:3b', repeat: 1 }),
    fixtureResult({ caseIndex: 0, model: 'qwen2.5:7b', repeat: 1 }),
    fixtureResult({ caseIndex: 0, model: 'llama3.2:3b', repeat: 0 }),
    fixtureResult({ caseIndex: 0, model: 'qwen2.5:7b', repeat: 0, latencyMs: 500 }),
  ];
  return { run: fixtureRun(), cardName: 'support-bot', results };
}

/** [caseIndex, model, repeat] of each result, to compare orders. */
export function cellOrder(rows: readonly { caseIndex: number; model: string; repeat: number }[]) {
  return rows.map((r) => [r.caseIndex, r.model, r.repeat]);
}

export const MATRIX_ORDER = [
  [0, 'qwen2.5:7b', 0],
  [0, 'qwen2.5:7b', 1],
  [0, 'llama3.2:3b', 0],
  [0, 'llama3.2:3b', 1],
  [1, 'qwen2.5:7b', 0],
  [1, 'qwen2.5:7b', 1],
  [1, 'llama3.2:3b', 0],
  [1, 'llama3.2:3b', 1],
];
