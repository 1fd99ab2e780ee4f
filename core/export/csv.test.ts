import { describe, expect, it } from 'vitest';
import { exportCsv } from './csv.ts';
import { erroredResult, failedResult, fixtureData, fixtureRun } from './test-fixture.ts';

const HEADER =
  'run_id,case_index,case,model,repeat,status,score,latency_ms,prompt_tokens,completion_tokens,cache_hit,error_type,reason,output';

describe('exportCsv', () => {
  it('quotes fields holding commas, quotes and line breaks', () => {
    const csv = exportCsv({
      run: fixtureRun(),
      cardName: 'support-bot',
      results: [erroredResult(), failedResult()],
    });
    expect(csv).toBe(
      [
        HEADER,
        'run_1,1,quotes the user,qwen2.5:7b,0,fail,0.5,1250,12,3,true,,"Score 0.5 below threshold 1:',
        'expected ""bye"" in output","He said ""hi, there"",',
        'then <b>&amp;</b> AT&T; left.\u0001\r',
        'Done"',
        'run_1,1,quotes the user,llama3.2:3b,0,error,0,,,,false,timeout,The model did not answer within the cell timeout,',
        '',
      ].join('\n'),
    );
  });

  it('writes a header and one row per result even with no results', () => {
    expect(exportCsv({ run: fixtureRun(), cardName: 'support-bot', results: [] })).toBe(`${HEADER}\n`);
    const lines = exportCsv(fixtureData()).split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toBe('run_1,0,greets,qwen2.5:7b,0,pass,1,500,12,3,false,,All assertions passed,Hello!');
  });
});
