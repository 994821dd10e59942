/**
 * Captured netlink traffic to datagrams: hex text, strace hexdumps, pcap and pcapng files with
 * LINKTYPE_NETLINK (253). Browser-safe (no Node imports); shared by the inspector and the CLI's
 * `decode` command. Bad input throws a CtTimeoutError (ERR_CAPTURE_FORMAT,
 * ERR_CAPTURE_TRUNCATED, ERR_CAPTURE_LINKTYPE) saying what is wrong and where.
 */
import { readHex } from './hex.js';
import { readPcap, readPcapng, sniffBinary } from './pcap.js';
import { looksLikeStrace, readStrace } from './strace.js';
import type { Capture, ReadOptions } from './types.js';
import { captureError, hexPreview } from './util.js';

export type { Capture, CaptureFormat, Datagram, ReadOptions, Skipped } from './types.js';
export { readHex, labelDirection } from './hex.js';
export { readStrace, looksLikeStrace } from './strace.js';
export { readPcap, readPcapng, writePcap, linkTypeName, LINKTYPE_NETLINK } from './pcap.js';

/** The format of an input, without parsing it (undefined: not one we read). */
export function detectCaptureFormat(input: string | Uint8Array): Capture['format'] | undefined {
  if (typeof input !== 'string') {
    const bin = sniffBinary(input);
    if (bin) return bin;
    const text = asText(input);
    if (text === undefined) return undefined;
    input = text;
  }
  return looksLikeStrace(input) ? 'strace' : 'hex';
}

/** Bytes that are text (UTF-8, no NUL or other control bytes but tab/CR/LF/FF), decoded. */
function asText(b: Uint8Array): string | undefined {
  const probe = b.subarray(0, 65536);
  for (let i = 0; i < probe.length; i++) {
    const c = probe[i]!;
    if (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

/**
 * Reads a capture: text (hex or strace) or the bytes of a file (pcap, pcapng, or text).
 * Every datagram is a view into `input` for binary formats (no copies).
 */
export function readCapture(input: string | Uint8Array, options: ReadOptions = {}): Capture {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const bin = sniffBinary(input);
    if (bin === 'pcap') return readPcap(input, options);
    if (bin === 'pcapng') return readPcapng(input, options);
    const t = asText(input);
    if (t === undefined) {
      throw captureError(
        'ERR_CAPTURE_FORMAT',
        `not a capture: the file starts with ${hexPreview(input)}, which is neither pcap (a1 b2 c3 d4 / d4 c3 b2 a1), pcapng (0a 0d 0d 0a) nor hex or strace text`,
        0,
      );
    }
    text = t;
  }
  if (text.trim() === '') throw captureError('ERR_CAPTURE_FORMAT', 'the input is empty');
  return looksLikeStrace(text) ? readStrace(text) : readHex(text);
}
