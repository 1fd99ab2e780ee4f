import { SvelteMap } from 'svelte/reactivity';
import type { MatrixCell } from './matrix.ts';
import { caseIndexOfKey } from './matrix.ts';
import type { CellEvent, CellStatus, Counts, Progress, RunStatus, Summary } from './types.ts';

export type EndEvent = { status: RunStatus; summary: Summary | null; error: string | null };

type Totals = { total: number; perModel: Record<string, number> };

type Tally = Record<CellStatus, number>;

/**
 * A run followed over its SSE stream. Counters are derived from the set of finished cells (keyed by cell),
 * so a cell seen both in the page's first load and in the stream is counted once.
 */
export class LiveRun {
  status = $state<RunStatus>('queued');
  // Reactive per entry: a finished cell is added in place, not by copying every cell stored so far.
  readonly cells = new SvelteMap<string, MatrixCell>();
  connected = $state(false);
  ended = $state<EndEvent | null>(null);
  #totals = $state<Totals>({ total: 0, perModel: {} });
  #concurrency: number;
  #source: EventSource | undefined;

  constructor(progress: Progress, cells: MatrixCell[], concurrency: number) {
    this.status = progress.status;
    this.#totals = totalsOf(progress);
    for (const cell of cells) this.cells.set(cell.key, cell);
    this.#concurrency = concurrency;
  }

  /** Finished cells by outcome, overall and per model, in one pass over the cells. */
  #tally = $derived.by(() => {
    const tally = (): Tally => ({ pass: 0, fail: 0, error: 0 });
    const overall = tally();
    const perModel: Record<string, Tally> = {};
    for (const cell of this.cells.values()) {
      overall[cell.status]++;
      perModel[cell.model] ??= tally();
      (perModel[cell.model] as Tally)[cell.status]++;
    }
    return { overall, perModel };
  });

  counts = $derived(this.#count(this.#tally.overall, this.#totals.total));

  perModel = $derived(
    Object.fromEntries(
      Object.entries(this.#totals.perModel).map(([model, total]) => [
        model,
        this.#count(this.#tally.perModel[model] ?? { pass: 0, fail: 0, error: 0 }, total),
      ]),
    ) as Record<string, Counts>,
  );

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
    this.cells.set(event.key, { ...event, caseIndex: caseIndexOfKey(event.key) });
  }

  #count(tally: Tally, total: number): Counts {
    const done = tally.pass + tally.fail + tally.error;
    const pending = Math.max(0, total - done);
    const running = this.status === 'running' ? Math.min(this.#concurrency, pending) : 0;
    return { total, done, passed: tally.pass, failed: tally.fail, errored: tally.error, running };
  }
}

function totalsOf(progress: Progress): Totals {
  return {
    total: progress.total,
    perModel: Object.fromEntries(Object.entries(progress.perModel).map(([m, c]) => [m, c.total])),
  };
}
