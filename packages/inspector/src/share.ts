// Shareable links: the datagrams (as the inspector's hex text, with directions) deflated and
// base64url-encoded in the URL fragment, which never reaches a server. Only small inputs fit.

/** Bytes of netlink data a link may carry; larger inputs are not put in the URL. */
export const SHARE_LIMIT = 16 * 1024;

function b64url(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const res = new Response(new Blob([data as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await res.arrayBuffer());
}

/** The fragment for a text: `#z=` deflated when the browser can, else `#t=` plain. */
export async function encodeFragment(text: string): Promise<string> {
  const raw = new TextEncoder().encode(text);
  if (typeof CompressionStream === 'function') return `#z=${b64url(await pipe(raw, new CompressionStream('deflate-raw')))}`;
  return `#t=${b64url(raw)}`;
}

/** The text in a fragment, or undefined when it has none. Throws on a damaged link. */
export async function decodeFragment(hash: string): Promise<string | undefined> {
  const m = /^#([zt])=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return undefined;
  const bytes = unb64url(m[2]!);
  const raw = m[1] === 'z' ? await pipe(bytes, new DecompressionStream('deflate-raw')) : bytes;
  return new TextDecoder().decode(raw);
}
