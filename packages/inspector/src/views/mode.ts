// Input or builder: the builder's bytes are decoded into the panes like any input.
import { app, send } from '../app.js';
import { $ } from '../dom.js';
import type { Builder } from '../builder.js';
import { clearDetail } from './detail.js';
import { closeFile, fileLoaded, loadText, startLoad } from './input.js';
import { status } from './status.js';

let builder: Builder | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

/** The builder's bytes changed (undefined: the form does not encode). */
export function builderBytes(b: Uint8Array | undefined): void {
  if (app.mode !== 'builder') return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (!b) {
      startLoad('builder');
      clearDetail('Fix the request above to see its bytes.');
      status('Builder: the request does not encode.');
      return;
    }
    let s = 'request\n';
    for (const x of b) s += x.toString(16).padStart(2, '0');
    const id = startLoad('builder');
    send({ t: 'load', id, text: s, name: 'builder' });
  }, 60);
}

export function setMode(m: 'input' | 'builder'): void {
  if (m === app.mode) return;
  app.mode = m;
  $('tab-input').setAttribute('aria-selected', String(m === 'input'));
  $('tab-builder').setAttribute('aria-selected', String(m === 'builder'));
  $('input-panel').hidden = m !== 'input';
  $('builder-panel').hidden = m !== 'builder';
  document.body.dataset.mode = m;
  if (m === 'builder') builder?.update();
  else if (fileLoaded) {
    // The file is still in the worker only if nothing else was loaded: reopen from the input.
    $('file-chip').hidden = false;
    closeFile();
  } else loadText(($('input') as HTMLTextAreaElement).value);
}

export function setupMode(b: Builder): void {
  builder = b;
  $('tab-input').addEventListener('click', () => setMode('input'));
  $('tab-builder').addEventListener('click', () => setMode('builder'));
}
