import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Emits sw.js: a service worker that precaches every file of the build (its list and a
 * version hash are written in at build time), so the inspector works offline once loaded.
 */
function serviceWorker(): Plugin {
  return {
    name: 'cttimeout-inspector-sw',
    apply: 'build',
    generateBundle(_options, bundle) {
      // The bundle, plus public/ (copied as is, so not in the bundle): the icon and manifest.
      const pub = readdirSync(new URL('./public/', import.meta.url)).filter((f) => f !== '_headers');
      const files = [...new Set([...Object.keys(bundle), ...pub])].filter((f) => !f.endsWith('.map') && f !== '_headers').sort();
      const hash = createHash('sha256');
      for (const f of files) {
        const b = bundle[f];
        hash.update(f);
        if (!b) hash.update(readFileSync(new URL(`./public/${f}`, import.meta.url)));
        else hash.update(b.type === 'chunk' ? b.code : typeof b.source === 'string' ? b.source : Buffer.from(b.source));
      }
      const template = readFileSync(new URL('./src/sw-template.js', import.meta.url), 'utf8');
      const source = template
        .replace('__VERSION__', JSON.stringify(`cttimeout-inspector-${hash.digest('hex').slice(0, 12)}`))
        .replace('__ASSETS__', JSON.stringify(['./', ...files.filter((f) => f !== 'index.html').map((f) => `./${f}`)]));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  // Relative URLs: the build folder works from any sub-path of any static host.
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  worker: { format: 'es' },
  server: { fs: { allow: [repo] } },
  plugins: [serviceWorker()],
});
