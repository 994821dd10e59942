// The built `cttimeout/codec` (dist + wasm, plain ESM, no bundler) loads in headless Chromium
// and decodes, encodes and formats exactly as it does in Node.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { decode, encodeRequest, formatNfct } from '../../packages/cttimeout/src/codec/node.js';
import { launchChromium, serveStatic } from '../helpers/browser.js';
import { bytes, toHex } from '../helpers/fixtures.js';

const pkg = fileURLToPath(new URL('../../packages/cttimeout/', import.meta.url));
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await serveStatic(pkg);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('codec in Chromium', () => {
  it('decodes, encodes and formats like Node', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/package.json`);
    const dump = toHex(bytes('C.datagram1'));
    // Sent as source text: the test file itself is transformed by vitest, the page code is not.
    const result = (await page.evaluate(`(async (hex) => {
      const codec = await import('/dist/codec/index.js');
      let before = 'no error';
      try {
        codec.decode(new Uint8Array(0));
      } catch (e) {
        before = e.code;
      }
      await codec.init();
      const b = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
      const enc = codec.encodeRequest({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000 } });
      return { before, decoded: codec.decode(b), text: codec.formatNfct(b).blocks, encoded: Array.from(enc) };
    })(${JSON.stringify(dump)})`)) as { before: string; decoded: unknown; text: string[]; encoded: number[] };
    expect(errors).toEqual([]);
    expect(result.before).toBe('ERR_NOT_INITIALIZED');
    expect(result.decoded).toStrictEqual(decode(bytes('C.datagram1')));
    expect(result.text).toStrictEqual(formatNfct(bytes('C.datagram1')).blocks);
    expect(result.encoded).toStrictEqual(
      Array.from(encodeRequest({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000 } })),
    );
  });
});
