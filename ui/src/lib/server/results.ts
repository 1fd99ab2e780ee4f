import type { Cookies } from '@sveltejs/kit';
import type { MatrixCell } from '../matrix.ts';
import type { Page, Result } from '../types.ts';
import { api } from './api.ts';

const PAGE = 200;

/** Every stored result of a run, page by page (the API's largest page is 200). */
export async function allResults(cookies: Cookies, runId: string, filter = ''): Promise<Result[]> {
  const id = encodeURIComponent(runId);
  const all: Result[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api<Page<Result>>(
      cookies,
      `/runs/${id}/results?limit=${PAGE}&offset=${offset}${filter}`,
    );
    all.push(...page.items);
    if (page.items.length < PAGE || all.length >= page.total) return all;
  }
}

/** What the matrix and the output search need of a result; the rest is fetched when a cell is opened. */
export function toMatrixCell(result: Result): MatrixCell {
  return {
    key: result.cellKey,
    caseIndex: result.caseIndex,
    caseName: result.caseName,
    model: result.model,
    repeat: result.repeat,
    status: result.status,
    score: result.score,
    output: result.output,
  };
}
