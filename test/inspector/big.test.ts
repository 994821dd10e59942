// A 50 MB pcap (over half a million datagrams) loads without freezing the page: the work runs
// in the worker in slices with progress, the list is virtualised. A heartbeat in the page
// (requestAnimationFrame and a 10 ms timer) measures the longest main-thread stall while loading.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, writePcap, type Datagram } from '../../packages/cttimeout/src/codec/node.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { expectClean, filterBy, open, selectRow, shot, startApp, treeNodes, type App, type Opened } from './helpers.js';

let app: App;
let o: Opened;
let dir: string;
let file: string;
let messages = 0;
/** A main-thread stall that means the page did the work itself (see the describe below). */
const STALL_MS = 1500;
let datagrams = 0;

beforeAll(async () => {
  app = await startApp();
  o = await open(app);
  dir = mkdtempSync(join(tmpdir(), 'cttimeout-big-'));
  const base: Datagram[] = captures.map((c) => ({ bytes: bytes(c.id), direction: c.direction === 'request' ? 'sent' : 'received' }));
  const per = base.map((d) => decode(d.bytes));
  const out: Datagram[] = [];
  let size = 24;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const d = base[i % base.length]!;
    out.push({ ...d, time: 1795548033 + i / 1000 });
    size += 32 + d.bytes.length;
    const r = per[i % base.length]!;
    messages += r.messages.length + (r.error ? 1 : 0);
  }
  datagrams = out.length;
  file = join(dir, 'big.pcap');
  writeFileSync(file, writePcap(out));
}, 120_000);
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A 10 ms timer in the page: how late it fires is how long the main thread was busy. */
async function startBeat(page: Opened['page']): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __fbeat: { max: number; stop: boolean } };
    w.__fbeat = { max: 0, stop: false };
    let tick = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      w.__fbeat.max = Math.max(w.__fbeat.max, now - tick - 10);
      tick = now;
      if (w.__fbeat.stop) clearInterval(timer);
    }, 10);
  });
}
async function stopBeat(page: Opened['page']): Promise<number> {
  return (await page.evaluate(() => {
    const w = window as unknown as { __fbeat: { max: number; stop: boolean } };
    w.__fbeat.stop = true;
    return w.__fbeat.max;
  })) as number;
}

describe('a 50 MB pcap', () => {
  // What this test is for: the page never does the heavy work itself. Decoding 50 MB or
  // building its list on the main thread stalls it for the whole load (5-13 s here), so the
  // bound is 1.5 s: far below that, far above what a busy machine does to a healthy page.
  // Quiet, the worst main-thread task is 50-125 ms; vitest runs kernel and CPU-heavy files
  // beside this one on 2 cores, and loaded CI runs have seen 467 ms. The exact stalls are
  // printed for the record; a timing target belongs in a benchmark, not in this bound.
  it(
    'loads in the worker with progress; the page never stalls; the list stays virtual',
    { retry: 2 },
    async () => {
      const page = o.page;
      await page.evaluate(() => {
        const w = window as unknown as {
          __beat: { maxFrame: number; maxTimer: number; frames: number; progress: string[]; stop: boolean; long: string[]; tasks: number[] };
        };
        w.__beat = { maxFrame: 0, maxTimer: 0, frames: 0, progress: [], stop: false, long: [], tasks: [] };
        // Long tasks: main-thread work of 50 ms or more (what the page itself does, apart
        // from the machine being busy with the worker and the test).
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) w.__beat.tasks.push(Math.round(e.duration));
        }).observe({ entryTypes: ['longtask'] });
        let last = performance.now();
        const frame = (t: number) => {
          w.__beat.maxFrame = Math.max(w.__beat.maxFrame, t - last);
          last = t;
          w.__beat.frames++;
          if (!w.__beat.stop) requestAnimationFrame(frame);
        };
        requestAnimationFrame((t) => {
          last = t;
          requestAnimationFrame(frame);
        });
        let tick = performance.now();
        const timer = setInterval(() => {
          const now = performance.now();
          w.__beat.maxTimer = Math.max(w.__beat.maxTimer, now - tick - 10);
          if (now - tick - 10 > 50) w.__beat.long.push(`${Math.round(now - tick - 10)} ms at "${document.getElementById('status')!.textContent}"`);
          tick = now;
          const s = document.getElementById('status')!.textContent ?? '';
          if (s.startsWith('Decoding') && w.__beat.progress.at(-1) !== s) w.__beat.progress.push(s);
          if (w.__beat.stop) clearInterval(timer);
        }, 10);
      });
      const before = await page.evaluate(() => document.body.dataset.loaded ?? '');
      const t0 = Date.now();
      await page.setInputFiles('#file', file);
      // While it loads the page answers: a scroll and a click on the list work.
      await page.waitForFunction(() => document.querySelectorAll('#list .row:not([hidden])').length > 10, undefined, { timeout: 60_000 });
      await page.evaluate(() => (document.getElementById('list')!.scrollTop = 2000));
      await page.click('#list .row:not([hidden]) >> nth=3');
      await page.waitForFunction((b) => document.body.dataset.loaded !== b && document.body.dataset.state === 'done', before, {
        timeout: 180_000,
        polling: 100,
      });
      const loadMs = Date.now() - t0;
      const beat = (await page.evaluate(() => {
        const w = window as unknown as {
          __beat: { maxFrame: number; maxTimer: number; frames: number; progress: string[]; stop: boolean; long: string[]; tasks: number[] };
        };
        w.__beat.stop = true;
        return w.__beat;
      })) as { maxFrame: number; maxTimer: number; frames: number; progress: string[]; long: string[]; tasks: number[] };
      console.log(
        `50 MB pcap: ${datagrams} datagrams, ${messages} rows, loaded in ${loadMs} ms; worst frame gap ${beat.maxFrame.toFixed(1)} ms, worst timer lateness ${beat.maxTimer.toFixed(1)} ms, ${beat.frames} frames, ${beat.progress.length} progress updates`,
      );
      if (beat.long.length) console.log(`timer late by more than 50 ms: ${beat.long.join('; ')}`);
      console.log(`main-thread long tasks (ms): ${beat.tasks.join(', ') || 'none'}`);
      expect(beat.progress.length).toBeGreaterThan(3);
      expect(Math.max(0, ...beat.tasks)).toBeLessThan(STALL_MS);
      expect(beat.maxFrame).toBeLessThan(STALL_MS);
      expect(beat.maxTimer).toBeLessThan(STALL_MS);
      expect(loadMs).toBeLessThan(120_000);
      expect(await page.textContent('#count')).toBe(new Intl.NumberFormat('en').format(messages));
      expect(await page.$$eval('#list .row', (els) => els.length)).toBeLessThan(200);
      // The last message is reachable and its fields load.
      await page.focus('#list');
      await page.keyboard.press('End');
      await page.waitForFunction((n) => document.body.dataset.detail?.endsWith(`:${n - 1}`), messages);
      await selectRow(page, messages - 1);
      expect((await treeNodes(page)).length).toBeGreaterThan(3);
      // Filtering half a million rows answers, and does not block the page either.
      await startBeat(page);
      const tf = Date.now();
      await page.fill('#filter', 'EBUSY');
      await page.waitForFunction(() => /of/.test(document.getElementById('count')!.textContent ?? ''), undefined, { timeout: 30_000 });
      const filterStall = await stopBeat(page);
      console.log(`filter over ${messages} rows: ${Date.now() - tf} ms, worst timer lateness ${filterStall.toFixed(1)} ms`);
      expect(filterStall).toBeLessThan(STALL_MS);
      const ebusy = (await page.textContent('#count'))!;
      expect(Number(ebusy.split(' of ')[0]!.replace(/,/g, ''))).toBeGreaterThan(0);
      expect((await page.$$eval('#list .row:not([hidden]) .info', (els) => els.map((e) => e.textContent))).every((t) => t!.includes('EBUSY'))).toBe(true);
      // The same through the field filter language: it runs in the worker, over every message's
      // decoded fields, and the page stays free.
      await startBeat(page);
      const te = Date.now();
      expect(await filterBy(page, 'errno == EBUSY')).toBe(ebusy);
      const exprStall = await stopBeat(page);
      console.log(`field filter over ${messages} rows: ${Date.now() - te} ms, worst timer lateness ${exprStall.toFixed(1)} ms`);
      expect(exprStall).toBeLessThan(STALL_MS);
      await page.fill('#filter', '');
      await shot(page, 'big-pcap');
      await expectClean(o);
    },
    240_000,
  );
});
