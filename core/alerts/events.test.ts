import { describe, expect, it } from 'vitest';
import { judgedRunEvents, statusEvent } from './events.ts';

describe('alert events', () => {
  it('names the end of a run', () => {
    expect(statusEvent('completed')).toBe('run.completed');
    expect(statusEvent('failed')).toBe('run.failed');
    expect(statusEvent('cancelled')).toBe('run.cancelled');
  });

  it('adds run.regression to a judged run whose verdict is a regression, and only then', () => {
    const completed = (verdict: Parameters<typeof judgedRunEvents>[0]['verdict']) =>
      judgedRunEvents({ status: 'completed', alertOnFailure: false, verdict });
    expect(completed('regression')).toEqual(['run.completed', 'run.regression']);
    expect(completed('within-noise')).toEqual(['run.completed']);
    expect(completed('improvement')).toEqual(['run.completed']);
    expect(completed('no-baseline')).toEqual(['run.completed']);
    expect(completed(undefined)).toEqual(['run.completed']);
  });

  it('announces a failed judged run only when the schedule asks for failure alerts', () => {
    expect(judgedRunEvents({ status: 'failed', alertOnFailure: true, verdict: undefined })).toEqual([
      'run.failed',
    ]);
    expect(judgedRunEvents({ status: 'failed', alertOnFailure: false, verdict: undefined })).toEqual([]);
    expect(judgedRunEvents({ status: 'cancelled', alertOnFailure: false, verdict: undefined })).toEqual([
      'run.cancelled',
    ]);
  });
});
