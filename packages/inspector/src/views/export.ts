// Export: the messages shown (after the filter) or the selected one, as hex (the input box
// reads it back), a pcap, JSON, or a policy file for `cttimeout apply -f`.
import { app, ask, nf } from '../app.js';
import { $, copyText, h, toast } from '../dom.js';
import type { ExportFormat } from '../protocol.js';

const dialog = () => $('export-dialog') as HTMLDialogElement;
let lastText = '';

function scopeRows(): Uint32Array | undefined {
  const scope = (document.querySelector('input[name="export-scope"]:checked') as HTMLInputElement | null)?.value;
  if (scope === 'selected') return app.selected >= 0 ? Uint32Array.of(app.selected) : new Uint32Array(0);
  return app.view ? app.view.slice() : undefined;
}

function download(name: string, mime: string, data: string | Uint8Array): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type: mime }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function run(format: ExportFormat): Promise<void> {
  const rows = scopeRows();
  const m = await ask('export', rows ? { format, rows } : { format });
  if (!m) return;
  download(m.name, m.mime, m.data);
  const what = format === 'yaml' ? `${nf.format(m.count)} polic${m.count === 1 ? 'y' : 'ies'}` : `${nf.format(m.count)} message${m.count === 1 ? '' : 's'}`;
  $('export-result').textContent = `${m.name}: ${what}`;
  const pre = $('export-preview');
  lastText = typeof m.data === 'string' ? m.data : '';
  pre.textContent =
    typeof m.data === 'string'
      ? m.data.slice(0, 20_000)
      : `${m.data.length} bytes of pcap (LINKTYPE_NETLINK): open it here, in Wireshark, or with cttimeout decode`;
  $('export-copy').hidden = typeof m.data !== 'string';
}

function open(): void {
  const shown = app.view ? app.view.length : app.store.count;
  $('export-shown').textContent = `the ${nf.format(shown)} message${shown === 1 ? '' : 's'} shown${app.view ? ' (filtered)' : ''}`;
  $('export-result').textContent = '';
  $('export-preview').textContent = '';
  $('export-copy').hidden = true;
  dialog().showModal();
}

export function setupExport(): void {
  $('export').addEventListener('click', open);
  $('export-close').addEventListener('click', () => dialog().close());
  for (const f of ['hex', 'pcap', 'json', 'yaml'] as const) $(`export-${f}`).addEventListener('click', () => void run(f));
  $('export-copy').addEventListener('click', () => void copyText(lastText).then((ok) => toast(ok ? 'Copied' : 'Copy failed')));
}
