import type { CellStatus } from './types.ts';

/** What the matrix needs of one stored cell; filled from the results or from a live `cell` event. */
export type MatrixCell = {
  key: string;
  caseIndex: number;
  caseName: string;
  model: string;
  repeat: number;
  status: CellStatus;
  score: number;
  output?: string | null;
};

export type CellGroup = { cells: MatrixCell[]; pass: number; fail: number; error: number };

export type MatrixRow = { caseIndex: number; caseName: string; groups: Record<string, CellGroup> };

export type MatrixFilter = 'all' | 'failures' | 'errors';

/** `caseIndex/model/repeat`, as the run's cell keys are written. */
export function caseIndexOfKey(key: string): number {
  return Number(key.slice(0, key.indexOf('/')));
}

/** Cases × models, each cell holding every repeat of that case on that model. */
export function buildMatrix(cells: Iterable<MatrixCell>): MatrixRow[] {
  const rows = new Map<number, MatrixRow>();
  for (const cell of cells) {
    let row = rows.get(cell.caseIndex);
    if (!row) {
      row = { caseIndex: cell.caseIndex, caseName: cell.caseName, groups: {} };
      rows.set(cell.caseIndex, row);
    }
    const group = row.groups[cell.model] ?? { cells: [], pass: 0, fail: 0, error: 0 };
    row.groups[cell.model] = group;
    group.cells.push(cell);
    group[cell.status]++;
  }
  return [...rows.values()].sort((a, b) => a.caseIndex - b.caseIndex);
}

/** Rows that match the filter and whose case name or some output contains the search text. */
export function filterRows(rows: MatrixRow[], filter: MatrixFilter, search: string): MatrixRow[] {
  const needle = search.trim().toLowerCase();
  return rows.filter((row) => {
    const groups = Object.values(row.groups);
    if (filter === 'failures' && !groups.some((g) => g.fail > 0 || g.error > 0)) return false;
    if (filter === 'errors' && !groups.some((g) => g.error > 0)) return false;
    if (needle === '') return true;
    if (row.caseName.toLowerCase().includes(needle)) return true;
    return groups.some((g) => g.cells.some((c) => (c.output ?? '').toLowerCase().includes(needle)));
  });
}

/** The worst outcome in a group: an error outranks a fail, a fail outranks a pass. */
export function groupStatus(group: CellGroup | undefined): CellStatus | 'none' {
  if (!group || group.cells.length === 0) return 'none';
  if (group.error > 0) return 'error';
  if (group.fail > 0) return 'fail';
  return 'pass';
}
