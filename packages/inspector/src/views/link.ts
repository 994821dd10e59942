// Sharing: small inputs travel in the URL fragment (never sent to a server), compressed.
import { app, ask, size } from '../app.js';
import { $, copyText, toast } from '../dom.js';
import type { LoadSummary } from '../protocol.js';
import { decodeFragment, encodeFragment, SHARE_LIMIT } from '../share.js';

export const linkState = { dirty: false, fromLink: false };

function clearHash(): void {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
}
const tooBigText = (n: number) => `Not in the link: ${size(n)} is over the ${size(SHARE_LIMIT)} a link carries — share the file`;

/** After a load: the link holds the bytes when they fit, else says why not. */
export async function updateLink(s: LoadSummary | undefined, isFile = false): Promise<void> {
  const el = $('link-status');
  if (app.mode === 'builder' || !linkState.dirty) return;
  if (linkState.fromLink) {
    el.textContent = 'Opened from a link';
    return;
  }
  if (!s || (isFile && s.bytes > SHARE_LIMIT)) {
    el.textContent = s ? tooBigText(s.bytes) : '';
    clearHash();
    return;
  }
  const r = await ask('share', { limit: SHARE_LIMIT });
  if (!r) return;
  if (r.text === undefined) {
    el.textContent = tooBigText(r.bytes);
    clearHash();
    return;
  }
  history.replaceState(null, '', await encodeFragment(r.text));
  el.textContent = `Link holds these ${size(r.bytes)}`;
}

async function share(): Promise<void> {
  // The builder's bytes go to the input first, so the link opens them.
  if (app.mode === 'builder') linkState.dirty = true;
  const r = await ask('share', { limit: SHARE_LIMIT });
  if (!r || r.text === undefined) {
    toast(r?.bytes ? `Too big for a link (${size(r.bytes)}; the limit is ${size(SHARE_LIMIT)}). Share the file instead.` : 'Nothing to share yet.');
    return;
  }
  const url = location.href.split('#')[0] + (await encodeFragment(r.text));
  history.replaceState(null, '', url);
  toast((await copyText(url)) ? 'Link copied' : 'Link is in the address bar');
}

/** The bytes a link opened with (undefined: none; throws when the link is damaged). */
export const fromHash = () => decodeFragment(location.hash);

export function setupLink(open: (text: string) => void): void {
  $('share').addEventListener('click', () => void share());
  window.addEventListener('hashchange', async () => {
    const text = await fromHash().catch(() => undefined);
    if (text !== undefined && text !== ($('input') as HTMLTextAreaElement).value) open(text);
  });
}
