// Shared set-up for the inspector tests: the BUILT app (packages/inspector/dist, what
// `npm run build` makes and what anyone would host) served by serveStatic, headless Chromium,
// and small page helpers. Screenshots go to test/.artifacts/inspector/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { InspectNode } from '../../packages/cttimeout/src/codec/node.js';
import { launchChromium, serveStatic } from '../helpers/browser.js';
import { late } from '../helpers/netns.js';

export const DIST = fileURLToPath(new URL('../../packages/inspector/dist/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../.artifacts/inspector/', import.meta.url));

/** The built app; builds it (vite build) when the folder is missing. */
export function builtApp(): string {
  if (!existsSync(`${DIST}index.html`)) {
    execFileSync('npm', ['run', 'build', '--workspace', '@cttimeout/inspector'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'ignore' });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return DIST;
}

export interface App {
  browser: Browser;
  server: Awaited<ReturnType<typeof serveStatic>>;
  close(): Promise<void>;
}

export async function startApp(options: { prefix?: string } = {}): Promise<App> {
  const root = builtApp();
  const server = await serveStatic(root.replace(/\/$/, ''), {}, options);
  const browser = await launchChromium();
  return {
    browser,
    server,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Page errors, console errors and CSP violations seen so far. */
  problems: string[];
}

/** Opens the app in a fresh context (its own service worker and storage). */
export async function open(app: App, opts: { width?: number; height?: number; dark?: boolean; hash?: string; timezoneId?: string } = {}): Promise<Opened> {
  const context = await app.browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.dark ? 'dark' : 'light',
    deviceScaleFactor: 1,
    acceptDownloads: true,
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(`${app.server.url}/${opts.hash ?? ''}`);
  await page.waitForSelector('body[data-ready]');
  return { context, page, problems };
}

async function loadedMarker(page: Page): Promise<string> {
  return (await page.evaluate(() => document.body.dataset.loaded ?? '')) as string;
}

/** Waits until the load that started after `before` has finished (decoded or failed). */
export async function waitLoaded(page: Page, before: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (b) => document.body.dataset.loaded !== undefined && document.body.dataset.loaded !== b && document.body.dataset.state !== 'loading',
    before,
    {
      timeout,
    },
  );
}

/** Pastes text into the input and waits for it to be decoded. */
export async function paste(page: Page, text: string): Promise<void> {
  const before = await loadedMarker(page);
  await page.fill('#input', text);
  await waitLoaded(page, before);
}

/** Opens a file through the file input and waits for it to be decoded. */
export async function openFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }, timeout = 30_000): Promise<void> {
  const before = await loadedMarker(page);
  await page.setInputFiles('#file', file);
  await waitLoaded(page, before, timeout);
}

export interface RowText {
  row: number;
  time: string;
  dir: string;
  type: string;
  flags: string;
  seq: string;
  len: string;
  conv: string;
  info: string;
  cls: string;
}

/** The message rows in the DOM (the list is virtualised: only rows in view). */
export async function rows(page: Page): Promise<RowText[]> {
  // The list is redrawn at most once a frame after a load: let a pending redraw land first.
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  return page.$$eval('#list .row:not([hidden])', (els) =>
    els
      .map((el) => {
        const t = (c: string) => el.querySelector(`.${c}`)?.textContent ?? '';
        return {
          row: Number((el as HTMLElement).dataset.row),
          time: t('time'),
          dir: t('dir'),
          type: t('type'),
          flags: t('flags'),
          seq: t('seq'),
          len: t('len'),
          conv: t('conv'),
          info: t('info'),
          cls: el.className,
        };
      })
      .sort((a, b) => a.row - b.row),
  );
}

/** Selects row `row` (store index) by clicking it and waits for its fields. */
export async function selectRow(page: Page, row: number): Promise<void> {
  await page.click(`#list .row[data-row="${row}"]`);
  await page.waitForFunction((r) => document.body.dataset.detail?.endsWith(`:${r}`), row);
}

export interface ShownNode {
  label: string;
  value: string | undefined;
  error: string | undefined;
  offset: number;
  length: number;
  level: number;
}

/** Every node of the field tree (expands everything first). */
export async function treeNodes(page: Page): Promise<ShownNode[]> {
  await page.focus('#tree');
  await page.keyboard.press('*');
  return page.$$eval('#tree .tn', (els) =>
    els.map((el) => ({
      label: el.querySelector('.label')?.textContent ?? '',
      value: el.querySelector('.value')?.textContent ?? undefined,
      error: el.querySelector('.error')?.textContent ?? undefined,
      offset: Number((el as HTMLElement).dataset.offset),
      length: Number((el as HTMLElement).dataset.length),
      level: Number(el.getAttribute('aria-level')),
    })),
  );
}

/** The codec's nodes in the order the tree shows them (byte order, longer spans first). */
export function flatten(nodes: InspectNode[], level = 1): ShownNode[] {
  const sorted = [...nodes].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return sorted.flatMap((n) => [
    { label: n.label, value: n.value, error: n.error, offset: n.offset, length: n.length, level },
    ...flatten(n.children ?? [], level + 1),
  ]);
}

/** The deepest codec node whose bytes include `offset` (what clicking that byte must select). */
export function deepestAt(nodes: InspectNode[], offset: number): ShownNode | undefined {
  const all = flatten(nodes);
  const stop = all.find((n) => n.error !== undefined && n.length === 0 && n.offset === offset);
  if (stop) return stop;
  let best: ShownNode | undefined;
  for (const n of all) {
    if (n.length > 0 && offset >= n.offset && offset < n.offset + n.length) {
      if (!best || n.level > best.level || (n.level === best.level && n.length < best.length)) best = n;
    }
  }
  return best;
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}

/** No page errors, console errors, dialogs or CSP violations happened. */
export async function expectClean(o: Opened): Promise<void> {
  const csp = (await o.page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])) as string[];
  expect([...o.problems, ...csp.map((c) => `csp: ${c}`)]).toEqual([]);
}

export const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The built app served and opened in Chromium for a whole test file: registers the vitest
 * hooks and hands the app and its page to `use` once they exist; closes them after.
 */
export function useApp(): { app: App; o: Opened } {
  const app = late<App>('the inspector app');
  const o = late<Opened>('the opened page');
  let started: App | undefined;
  beforeAll(async () => {
    started = await startApp();
    app.set(started);
    o.set(await open(started));
  });
  afterAll(async () => {
    await started?.close();
  });
  return { app: app.value, o: o.value };
}

/** Waits for the filter typed into #filter to be applied (the count says "N of M"). */
export async function filterBy(page: Page, text: string): Promise<string> {
  const before = await page.evaluate(() => document.body.dataset.filtered ?? '');
  await page.fill('#filter', text);
  // The view for this text: a filter that was running before the edit can land first.
  await page.waitForFunction(
    ({ b, q }) => (document.body.dataset.filtered ?? '') !== b && document.body.dataset.filterQuery === q,
    { b: before, q: text.trim() },
    { timeout: 30_000 },
  );
  return (await page.textContent('#count')) ?? '';
}

/** Clicks an export button and returns the downloaded file's name and bytes. */
export async function exportAs(
  page: Page,
  format: 'hex' | 'pcap' | 'json' | 'yaml',
  scope: 'shown' | 'selected' = 'shown',
): Promise<{ name: string; data: Buffer }> {
  if (!(await page.isVisible('#export-dialog'))) await page.click('#export');
  await page.check(`input[name="export-scope"][value="${scope}"]`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${format}`)]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), data: readFileSync(path!) };
}
