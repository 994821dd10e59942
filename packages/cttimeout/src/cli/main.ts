#!/usr/bin/env node
// `cttimeout`: conntrack timeout policies from the command line, nfct-compatible.
// Exit status: 0 on success, 1 on any error.
import { readFileSync } from 'node:fs';
import { runCli } from './run.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

// A reader that went away (`cttimeout list timeout | head`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readStdin,
  stdinIsTTY: process.stdin.isTTY === true,
  version,
});
