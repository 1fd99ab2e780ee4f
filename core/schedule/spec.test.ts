import { describe, expect, it } from 'vitest';
import { scheduledRunId } from './run-id.ts';
import { findTimingProblems, parseInterval, temporalOverlap } from './spec.ts';

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    [' 1h ', 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '1.5h', '1 h', '-1m', '1w', 'PT1H'])('rejects %j', (text) => {
    expect(parseInterval(text)).toBeUndefined();
  });
});

describe('findTimingProblems', () => {
  it('accepts an interval, cron expressions, macros and a known time zone', () => {
    expect(findTimingProblems({ every: '1h' })).toEqual([]);
    expect(
      findTimingProblems({
        cron: ['0 3 * * *', '*/5 9-17 * JAN-MAR MON-FRI', '0 0 12 * * ? 2027', '@daily', '@every 90s'],
        timezone: 'Europe/Paris',
      }),
    ).toEqual([]);
  });

  it('wants exactly one of cron and every', () => {
    expect(findTimingProblems({})).toEqual([{ path: 'cron', message: expect.stringContaining('every') }]);
    expect(findTimingProblems({ cron: '@daily', every: '1h' })).toEqual([
      { path: 'every', message: 'give either cron or every, not both' },
    ]);
  });

  it('names the expression at fault: cron for a lone string, cron[i] in a list', () => {
    expect(findTimingProblems({ cron: 'every night' })).toEqual([
      { path: 'cron', message: expect.stringContaining('has 2 fields') },
    ]);
    expect(findTimingProblems({ cron: ['0 3 * * *', '@nightly', '0 3 * * * * * *'] })).toEqual([
      { path: 'cron[1]', message: expect.stringContaining('@nightly') },
      { path: 'cron[2]', message: expect.stringContaining('has 8 fields') },
    ]);
    expect(findTimingProblems({ cron: ['0 3 * * %'] })).toEqual([
      { path: 'cron[0]', message: expect.stringContaining('"%"') },
    ]);
    expect(findTimingProblems({ cron: [] })).toEqual([{ path: 'cron', message: expect.any(String) }]);
  });

  it('keeps the time zone out of the expression', () => {
    expect(findTimingProblems({ cron: 'CRON_TZ=Asia/Tokyo 0 3 * * *' })).toEqual([
      { path: 'cron', message: expect.stringContaining('timezone') },
    ]);
  });

  it('rejects a malformed or too short interval and an unknown time zone', () => {
    expect(findTimingProblems({ every: 'hourly', timezone: 'Mars/Olympus' })).toEqual([
      { path: 'every', message: expect.stringContaining('"hourly" is not an interval') },
      { path: 'timezone', message: expect.stringContaining('"Mars/Olympus"') },
    ]);
    expect(findTimingProblems({ every: '0s' })).toEqual([{ path: 'every', message: 'must be at least 1s' }]);
  });
});

describe('temporalOverlap', () => {
  it("maps each policy to Temporal's name", () => {
    expect(temporalOverlap('skip')).toBe('SKIP');
    expect(temporalOverlap('buffer-one')).toBe('BUFFER_ONE');
    expect(temporalOverlap('terminate-other')).toBe('TERMINATE_OTHER');
    expect(temporalOverlap('allow-all')).toBe('ALLOW_ALL');
  });
});

describe('scheduledRunId', () => {
  const workflowId = 'pcs-triage-a1b2c3-2026-11-26T03:00:00Z';

  it("is the card name, the firing's time as a UTC stamp and a hash of the workflow id", () => {
    expect(scheduledRunId('triage', workflowId)).toMatch(/^triage-20261126T030000Z-[0-9a-f]{6}$/);
  });

  it('is the same for the same workflow and differs between firings', () => {
    expect(scheduledRunId('triage', workflowId)).toBe(scheduledRunId('triage', workflowId));
    expect(scheduledRunId('triage', 'pcs-triage-a1b2c3-2026-11-26T04:00:00Z')).not.toBe(
      scheduledRunId('triage', workflowId),
    );
  });

  it('still makes a unique id when the workflow id carries no time', () => {
    expect(scheduledRunId('triage', 'manual-start')).toMatch(/^triage-scheduled-[0-9a-f]{6}$/);
  });
});
