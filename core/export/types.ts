import type { Result, Run } from '../../db/schema.ts';

/** Everything an exporter needs: the run row, its card's name, and the run's stored result rows. */
export type ExportData = { run: Run; cardName: string; results: Result[] };
