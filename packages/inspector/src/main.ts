// The inspector page: wires the views (views/*) to the decoding worker. Decoding happens in a
// worker; the page only draws.
import './style.css';
import { init } from 'cttimeout/codec';
import { Builder } from './builder.js';
import { $ } from './dom.js';
import { requestDetail, setupDetail } from './views/detail.js';
import { selectionChanged, setupDiff } from './views/diff.js';
import { setupExport } from './views/export.js';
import { setupFilter } from './views/filter.js';
import { loadText, setupInput } from './views/input.js';
import { setupKeys } from './views/keys.js';
import { fromHash, linkState, setupLink } from './views/link.js';
import { setupList } from './views/list.js';
import { builderBytes, setMode, setupMode } from './views/mode.js';
import { showInputError, setupStatus } from './views/status.js';

function openText(text: string, fromLink: boolean): void {
  setMode('input');
  ($('input') as HTMLTextAreaElement).value = text;
  linkState.dirty = true;
  linkState.fromLink = fromLink;
  loadText(text);
}

async function start(): Promise<void> {
  setupList((row) => {
    requestDetail(row);
    void selectionChanged(row);
  });
  setupDetail();
  setupFilter();
  setupInput();
  setupStatus();
  setupExport();
  setupDiff();
  setupKeys();
  setupLink((text) => openText(text, false));
  await init();
  setupMode(new Builder(builderBytes));
  document.body.dataset.ready = 'true';
  let text: string | undefined;
  try {
    text = await fromHash();
  } catch {
    showInputError('The link is damaged: its bytes could not be unpacked.');
  }
  if (text !== undefined) {
    openText(text, true);
    $('link-status').textContent = 'Opened from a link';
  } else loadText('');
}
void start();

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => ($('offline').textContent = 'Works offline'))
    .catch(() => ($('offline').textContent = ''));
}
