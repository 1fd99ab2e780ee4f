import { describe, expect, it } from 'vitest';
import { buildMatrix, caseIndexOfKey, filterRows, groupStatus, type MatrixCell } from './matrix.ts';

function cell(
  caseIndex: number,
  model: string,
  repeat: number,
  status: MatrixCell['status'],
  output = '',
): MatrixCell {
  return {
    key: `${caseIndex}/${model}/${repeat}`,
    caseIndex,
    caseName: `case ${caseIndex}`,
    model,
    repeat,
    status,
    score: status === 'pass' ? 1 : 0,
    output,
  };
}

const cells = [
  cell(1, 'b', 0, 'pass', 'refund issued'),
  cell(0, 'a', 0, 'pass', 'billing'),
  cell(0, 'a', 1, 'fail', 'bug'),
  cell(1, 'a', 0, 'error'),
  cell(2, 'a', 0, 'pass', 'account'),
];

describe('results matrix', () => {
  it('groups repeats by case and model, cases in index order', () => {
    const rows = buildMatrix(cells);
    expect(rows.map((r) => r.caseIndex)).toEqual([0, 1, 2]);
    expect(rows[0]?.groups.a).toMatchObject({ pass: 1, fail: 1, error: 0 });
    expect(rows[0]?.groups.a?.cells).toHaveLength(2);
  });

  it('shows the worst outcome of a group', () => {
    const [first, second, third] = buildMatrix(cells);
    expect(groupStatus(first?.groups.a)).toBe('fail');
    expect(groupStatus(second?.groups.a)).toBe('error');
    expect(groupStatus(third?.groups.a)).toBe('pass');
    expect(groupStatus(third?.groups.b)).toBe('none');
  });

  it('filters to failures, to errors, and by text in outputs or case names', () => {
    const rows = buildMatrix(cells);
    expect(filterRows(rows, 'failures', '').map((r) => r.caseIndex)).toEqual([0, 1]);
    expect(filterRows(rows, 'errors', '').map((r) => r.caseIndex)).toEqual([1]);
    expect(filterRows(rows, 'all', 'REFUND').map((r) => r.caseIndex)).toEqual([1]);
    expect(filterRows(rows, 'all', 'case 2').map((r) => r.caseIndex)).toEqual([2]);
    expect(filterRows(rows, 'errors', 'billing')).toEqual([]);
  });

  it('reads the case index from a cell key whose model name has slashes and colons', () => {
    expect(caseIndexOfKey('12/ollama:library/llama3.2:3b/0')).toBe(12);
  });
});
