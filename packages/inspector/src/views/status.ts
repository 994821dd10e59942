// The status bar and what a load reports: progress, the summary line, the malformed banner,
// errors reading the input, and the per-operation latency table.
import { app, nf, size } from '../app.js';
import { $, h } from '../dom.js';
import type { LoadSummary } from '../protocol.js';
import { ms, select } from './list.js';

const statusEl = $('status');

export function status(text: string): void {
  statusEl.textContent = text;
}

export function progress(phase: string, done: number, total: number): void {
  const p = $('progress');
  p.hidden = false;
  const frac = total > 0 ? done / total : 0;
  ($('progress-bar') as HTMLElement).style.width = `${(frac * 100).toFixed(1)}%`;
  p.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
  status(
    phase === 'decoding'
      ? `Decoding… ${nf.format(done)} of ${nf.format(total)} datagrams (${Math.round(frac * 100)}%)`
      : phase === 'reading'
        ? `Reading ${size(total)}…`
        : 'Parsing…',
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${nf.format(n)} ${n === 1 ? one : many}`;

export function summaryLine(s: LoadSummary): string {
  const parts = [
    s.name ?? '',
    s.format,
    plural(s.datagrams, 'datagram'),
    plural(s.messages, 'message'),
    s.kernelErrors ? plural(s.kernelErrors, 'kernel error') : '',
    s.probes ? plural(s.probes, 'open-time probe') : '',
    s.unanswered ? `${nf.format(s.unanswered)} unanswered` : '',
    s.orphans ? plural(s.orphans, 'orphan reply', 'orphan replies') : '',
    s.malformed ? `${nf.format(s.malformed)} malformed` : '',
    s.otherFamilies ? plural(s.otherFamilies, 'message of other netlink families', 'messages of other netlink families') : '',
    `${size(s.bytes)} of netlink data`,
    `${s.ms} ms`,
  ].filter(Boolean);
  let text = parts.join(' · ');
  if (s.skipped?.length) text += ` · skipped: ${s.skipped.map((k) => `${k.count} × ${k.reason}`).join('; ')}`;
  return text;
}

export function finished(s: LoadSummary): void {
  $('progress').hidden = true;
  status(summaryLine(s));
  if (s.captureError) showInputError(`${s.captureError.code}: ${s.captureError.message}`);
  $('latency').hidden = s.latency.length === 0;
  if (s.malformed > 0) {
    const b = $('banner');
    b.hidden = false;
    b.replaceChildren(
      h('span', { class: 'warn-icon', 'aria-hidden': 'true', text: '⚠' }),
      h('span', { text: `${s.malformed === 1 ? 'One datagram does' : `${nf.format(s.malformed)} datagrams do`} not decode to the end. ` }),
      h('button', { class: 'linklike', id: 'goto-malformed', text: 'Show where decoding stopped' }),
    );
    $('goto-malformed').addEventListener('click', () => select(s.firstMalformed));
  }
}

export function showInputError(text: string | undefined): void {
  const el = $('input-error');
  el.hidden = text === undefined;
  el.textContent = text ?? '';
}

export function failed(code: string, message: string): void {
  $('progress').hidden = true;
  showInputError(`${code}: ${message}`);
  status(`Could not read the input (${code}).`);
}

/** The latency dialog: per operation, answered count, median, p99, max, unanswered. */
function showLatency(): void {
  const s = app.summary;
  if (!s) return;
  const fmt = (v: number) => (Number.isNaN(v) ? '–' : ms(v));
  const body = $('latency-body');
  body.replaceChildren(
    ...s.latency.map((r) =>
      h(
        'tr',
        {},
        h('td', { text: r.op }),
        h('td', { class: 'num', text: nf.format(r.count) }),
        h('td', { class: 'num', text: fmt(r.median) }),
        h('td', { class: 'num', text: fmt(r.p99) }),
        h('td', { class: 'num', text: fmt(r.max) }),
        h('td', { class: 'num', text: r.unanswered ? nf.format(r.unanswered) : '' }),
      ),
    ),
  );
  $('latency-note').textContent = s.times
    ? 'From each request to its last reply (ACK, error, DONE), by the capture timestamps. Open-time probes are left out.'
    : 'This input has no timestamps: counts only.';
  ($('latency-dialog') as HTMLDialogElement).showModal();
}

export function setupStatus(): void {
  $('latency').addEventListener('click', showLatency);
  $('latency-close').addEventListener('click', () => ($('latency-dialog') as HTMLDialogElement).close());
}
