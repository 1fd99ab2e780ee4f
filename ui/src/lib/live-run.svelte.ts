import type { MatrixCell } from './matrix.ts';
import { caseIndexOfKey } from './matrix.ts';
import type { CellEvent, Counts, Progress, RunStatus, Summary } from './types.ts';

export type EndEvent = { status: RunStatus; summary: Summary | null; error: string | null };

type Totals = { total: number; perModel: Record<string, number> };

/**
 * A run followed over its SSE stream. Counters are derived from the set of finished cells (keyed by cell),
 * so a cell seen both in the page's first load and in the stream is counted once.
 */
export class LiveRun {
  status = $state<RunStatus>('queued');
  cells = $state<Map<string, MatrixCell>>(new Map());
  connected = $state(false);
  ended = $state<EndEvent | null>(null);
  #totals = $state<Totals>({ total: 0, perModel: {} });
  #concurrency: number;
  #source: EventSource | undefined;

  constructor(progress: Progress, cells: MatrixCell[], concurrency: number) {
    this.status = progress.status;
    this.#totals = totalsOf(progress);
    this.cells = new Map(cells.map((c) => [c.key, c]));
    this.#concurrency = concurrency;
  }

  counts = $derived.by(() => this.#count([...this.cells.values()], this.#totals.total));

  perModel = $derived.by(() => {
    const all = [...this.cells.values()];
    return Object.fromEntries(
      Object.entries(this.#totals.perModel).map(([model, total]) => [
        model,
        this.#count(
          all.filter((c) => c.model === model),
          total,
        ),
      ]),
    ) as Record<string, Counts>;
  });

  percent = $derived(this.counts.total === 0 ? 0 : Math.floor((this.counts.done / this.counts.total) * 100));

  follow(eventsUrl: string, lastEventId: number): void {
    const source = new EventSource(`${eventsUrl}?lastEventId=${lastEventId}`);
    this.#source = source;
    source.onopen = () => {
      this.connected = true;
    };
    source.onerror = () => {
      this.connected = false;
    };
    source.addEventListener('snapshot', (event) => {
      const { progress } = JSON.parse((event as MessageEvent).data) as { progress: Progress };
      this.status = progress.status;
      this.#totals = totalsOf(progress);
    });
    source.addEventListener('cell', (event) => this.#addCell(JSON.parse((event as MessageEvent).data)));
    source.addEventListener('end', (event) => {
      this.ended = JSON.parse((event as MessageEvent).data) as EndEvent;
      this.status = this.ended.status;
      this.stop();
    });
  }

  stop(): void {
    this.#source?.close();
    this.#source = undefined;
    this.connected = false;
  }

  #addCell(event: CellEvent): void {
    if (this.cells.has(event.key)) return;
    if (this.status === 'queued') this.status = 'running';
    this.cells = new Map(this.cells).set(event.key, { ...event, caseIndex: caseIndexOfKey(event.key) });
  }

  #count(cells: MatrixCell[], total: number): Counts {
    const passed = cells.filter((c) => c.status === 'pass').length;
    const failed = cells.filter((c) => c.status === 'fail').length;
    const errored = cells.length - passed - failed;
    const pending = Math.max(0, total - cells.length);
    const running = this.status === 'running' ? Math.min(this.#concurrency, pending) : 0;
    return { total, done: cells.length, passed, failed, errored, running };
  }
}

function totalsOf(progress: Progress): Totals {
  return {
    total: progress.total,
    perModel: Object.fromEntries(Object.entries(progress.perModel).map(([m, c]) => [m, c.total])),
  };
}
