// What every view shares: the decoding worker, the rows of the current load and the selection.
// Views talk to the worker through send() / ask() and to each other through the hooks below.
import type { FromWorker, LoadSummary, ToWorker } from './protocol.js';
import { RowStore } from './rows.js';

export const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'cttimeout-decoder' });
export const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

/** Conversation columns of every row (arrive when the load is done). */
export interface Pairs {
  peer: Int32Array;
  latency: Float64Array;
  mark: Uint8Array;
}

export const app = {
  store: new RowStore(),
  loadId: 0,
  summary: undefined as LoadSummary | undefined,
  /** Filtered row indexes; undefined = all. */
  view: undefined as Uint32Array | undefined,
  /** Selected row (index in the store), -1 none. */
  selected: -1,
  pairs: undefined as Pairs | undefined,
  mode: 'input' as 'input' | 'builder',
  /** Name of what is loaded (a file name, 'input', 'builder'). */
  source: 'input',
};

type Handler<T extends FromWorker['t']> = (m: Extract<FromWorker, { t: T }>) => void;
const handlers = new Map<string, (m: FromWorker) => void>();

/** Handles one kind of worker message of the current load. */
export function on<T extends FromWorker['t']>(t: T, fn: Handler<T>): void {
  handlers.set(t, fn as (m: FromWorker) => void);
}

let askId = 0;
const waiting = new Map<number, (m: FromWorker) => void>();

/** Sends a question whose answer carries `req` back (share, export, policy, history). */
export function ask<T extends 'share' | 'export' | 'policy' | 'history'>(
  t: T,
  args: Omit<Extract<ToWorker, { t: T }>, 't' | 'id' | 'req'>,
): Promise<Extract<FromWorker, { t: T }> | undefined> {
  const req = ++askId;
  return new Promise((resolve) => {
    waiting.set(req, resolve as (m: FromWorker) => void);
    send({ ...args, t, id: app.loadId, req } as unknown as ToWorker);
    // A load in between makes the worker drop the question.
    setTimeout(() => {
      if (waiting.delete(req)) resolve(undefined);
    }, 60_000);
  });
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  const req = (m as { req?: number }).req;
  if (req !== undefined && waiting.has(req) && m.t !== 'detail') {
    waiting.get(req)!(m);
    waiting.delete(req);
    return;
  }
  if (m.id !== app.loadId) return;
  handlers.get(m.t)?.(m);
};

/** Visible position → row index, and back (the view is sorted). */
export function rowAt(pos: number): number {
  const { view, store } = app;
  return view ? (view[pos] ?? -1) : pos < store.count ? pos : -1;
}
export function posOf(row: number): number {
  const { view } = app;
  if (!view) return row;
  let lo = 0;
  let hi = view.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = view[mid]!;
    if (v === row) return mid;
    if (v < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
export const visibleCount = () => (app.view ? app.view.length : app.store.count);

export const nf = new Intl.NumberFormat('en');
export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
