import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import { ModelAssertionError } from './errors.ts';
import { buildJudgeMessages, JUDGE_VERDICT_SCHEMA, parseJudgeVerdict } from './rubric.ts';
import type { Assertion } from './schema.ts';
import type { AssertionResult, ChatMessage, GradeInput, ModelAccess } from './types.ts';

// A deterministic stand-in for a judge model: this tests grading logic, not the Ollama wire format.
function stubJudge(reply: () => Promise<string>) {
  const calls: { model: string; messages: ChatMessage[]; format: unknown }[] = [];
  const models: ModelAccess = {
    embed: async () => {
      throw new Error('embed is not used by llm-rubric');
    },
    chat: async (model, messages, opts) => {
      calls.push({ model, messages, format: opts.format });
      return reply();
    },
  };
  return { models, calls };
}

const input: GradeInput = {
  output: 'Please contact billing.',
  prompt: 'Route this ticket',
  vars: { ticket: 'charged twice' },
  latencyMs: 10,
  tokens: { prompt: 1, completion: 1 },
};

async function grade(assertion: Assertion, models: ModelAccess): Promise<AssertionResult> {
  const result = await gradeOutput(input, [assertion], { models, defaultJudge: 'ollama:llama3.2:3b' });
  return result.assertions[0] as AssertionResult;
}

const rubric = 'Routes the ticket to billing';

describe('buildJudgeMessages', () => {
  it('puts instructions in the system message and rubric, output and vars in the user message', () => {
    const [system, user] = buildJudgeMessages(rubric, 'Please contact billing.', { ticket: 'charged twice' });
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('"pass"');
    expect(user?.role).toBe('user');
    expect(user?.content).toContain(`<rubric>\n${rubric}\n</rubric>`);
    expect(user?.content).toContain('<output>\nPlease contact billing.\n</output>');
    expect(user?.content).toContain('"ticket": "charged twice"');
  });

  it('leaves out the variables section when there are none', () => {
    expect(buildJudgeMessages(rubric, 'x', {})[1]?.content).not.toContain('<variables>');
  });
});

describe('parseJudgeVerdict', () => {
  it('reads a plain JSON verdict', () => {
    expect(parseJudgeVerdict('{"pass": true, "score": 0.9, "reason": " Mentions billing. "}')).toEqual({
      pass: true,
      score: 0.9,
      reason: 'Mentions billing.',
    });
  });

  it('finds JSON in a fenced block or in prose, and accepts string values', () => {
    expect(parseJudgeVerdict('```json\n{"pass": false, "score": 0.1, "reason": "no"}\n```').pass).toBe(false);
    const verdict = parseJudgeVerdict('Verdict: {"pass": "true", "score": "0.8"} hope that helps');
    expect(verdict).toEqual({ pass: true, score: 0.8, reason: '' });
  });

  it('derives a missing score from pass and a missing pass from score', () => {
    expect(parseJudgeVerdict('{"pass": false}').score).toBe(0);
    expect(parseJudgeVerdict('{"score": 0.7}').pass).toBe(true);
  });

  it('throws ModelAssertionError carrying the raw reply when unusable', () => {
    const error = (() => {
      try {
        parseJudgeVerdict('I think it passes.');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ModelAssertionError);
    expect((error as ModelAssertionError).raw).toBe('I think it passes.');
    expect(() => parseJudgeVerdict('{"reason": "ok"}')).toThrow(/neither "pass" nor "score"/);
    expect(() => parseJudgeVerdict('{"pass": true, "score": 8}')).toThrow(/outside 0\.\.1/);
  });
});

describe('llm-rubric', () => {
  it('asks the judge with the verdict schema and takes its pass', async () => {
    const { models, calls } = stubJudge(
      async () => '{"pass": true, "score": 0.9, "reason": "Says billing."}',
    );
    const r = await grade({ type: 'llm-rubric', value: rubric }, models);
    expect(r).toMatchObject({ pass: true, score: 0.9 });
    expect(r.reason).toBe(
      'Judge llama3.2:3b passed the output (score 0.9) on rubric "Routes the ticket to billing": Says billing.',
    );
    expect(calls[0]?.model).toBe('llama3.2:3b');
    expect(calls[0]?.format).toBe(JUDGE_VERDICT_SCHEMA);
  });

  it('lets a threshold on the score decide instead of the verdict', async () => {
    const { models } = stubJudge(async () => '{"pass": true, "score": 0.6, "reason": "Vague."}');
    const r = await grade(
      { type: 'llm-rubric', value: rubric, threshold: 0.8, provider: 'ollama:qwen2.5:7b' },
      models,
    );
    expect(r.pass).toBe(false);
    expect(r.reason).toBe(
      'Judge qwen2.5:7b failed the output (score 0.6, threshold 0.8) on rubric "Routes the ticket to billing": Vague.; got "Please contact billing."',
    );
  });

  it('not-llm-rubric passes when the judge fails the output', async () => {
    const { models } = stubJudge(async () => '{"pass": false, "score": 0.2, "reason": "No."}');
    const r = await grade({ type: 'not-llm-rubric', value: rubric }, models);
    expect(r.pass).toBe(true);
    expect(r.score).toBeCloseTo(0.8);
  });

  it('turns an unparseable reply or a failed call into ModelAssertionError', async () => {
    await expect(
      grade({ type: 'llm-rubric', value: rubric }, stubJudge(async () => 'Yes!').models),
    ).rejects.toThrow(ModelAssertionError);
    const down = stubJudge(async () => {
      throw new Error('fetch failed');
    });
    await expect(grade({ type: 'llm-rubric', value: rubric }, down.models)).rejects.toThrow(
      'Judge llama3.2:3b failed: fetch failed',
    );
  });
});
