// Keys that work anywhere but in a text field.
import { $ } from '../dom.js';
import { setMode } from './mode.js';
import { jumpToPeer, nextError } from './list.js';
import { pin } from './diff.js';

export function setupKeys(): void {
  const help = $('help-dialog') as HTMLDialogElement;
  $('help').addEventListener('click', () => help.showModal());
  $('help-close').addEventListener('click', () => help.close());
  const input = $('input') as HTMLTextAreaElement;
  const actions: Record<string, () => void> = {
    '/': () => {
      setMode('input');
      input.disabled ? $('file-clear').focus() : input.focus();
    },
    '?': () => help.showModal(),
    e: nextError,
    r: jumpToPeer,
    p: () => void pin(),
    f: () => $('filter').focus(),
    c: () => $('copy-sel').click(),
    x: () => $('export').click(),
    i: () => setMode('input'),
    b: () => {
      setMode('builder');
      $('b-op').focus();
    },
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    const typing = t.matches('input, textarea, select, [contenteditable]');
    if (e.key === 'Escape') {
      if (typing) {
        t.blur();
        $('list').focus();
      }
      return;
    }
    if (typing) return;
    const act = actions[e.key];
    if (act) act();
    else if (['j', 'k', 'ArrowDown', 'ArrowUp'].includes(e.key) && (t === document.body || t.closest('.bar, .statusbar'))) {
      $('list').focus();
      $('list').dispatchEvent(new KeyboardEvent('keydown', { key: e.key }));
    } else return;
    e.preventDefault();
  });
}
