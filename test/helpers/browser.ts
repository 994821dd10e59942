// Headless Debian Chromium driven by playwright-core, and a tiny static server, for browser
// tests. Flags per TOOLCHAIN.md: the machine's network is closed, so background networking
// is turned off.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves `root` on 127.0.0.1 at a free port. `headers` are added to every response. With
 * `prefix` ('/some/sub/path') the files are served under that path only (the returned url
 * includes it), as a static host serving the folder from a sub-path would.
 */
export async function serveStatic(
  root: string,
  headers: Record<string, string> = {},
  options: { prefix?: string } = {},
): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    let pathname = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(pathname);
    if (prefix) {
      if (!pathname.startsWith(prefix + '/')) {
        res.writeHead(404).end('not found');
        return;
      }
      pathname = pathname.slice(prefix.length);
    }
    const path = normalize(decodeURIComponent(pathname));
    const file = join(root, path.endsWith('/') ? path + 'index.html' : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${addr.port}${prefix}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
