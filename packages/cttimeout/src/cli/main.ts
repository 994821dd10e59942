#!/usr/bin/env node
// `cttimeout`: conntrack timeout policies from the command line, nfct-compatible.
// Exit status: see EXIT_MEANINGS (generated from crates/codec/src/registry.rs) and `cttimeout --help`.
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

// Node 22.1+ keeps compiled code of the modules below on disk between runs (a cold start pays
// parsing and compiling every module otherwise). Imported after turning it on, so they use it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { readStreamBounded } = await import('./input.js');
const { reportFailure, runCli, wantsJson } = await import('./run.js');
const { CliError, exactArgs, EXIT } = await import('./strict.js');

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const args = process.argv.slice(2);
const asJson = wantsJson(args);

// Output that cannot be written (`> /dev/full`, a reader that went away, a closed pipe) ends
// the run with one line on standard error, where that still works, and the I/O status.
let outputFailed = false;
function onOutputError(stream: string) {
  return (e: NodeJS.ErrnoException): void => {
    if (stream === 'standard error') {
      // Nowhere left to say it: keep the status of what failed, or the I/O status.
      if (!process.exitCode) process.exitCode = EXIT.IO;
      return;
    }
    if (outputFailed) return;
    outputFailed = true;
    const why = e.code === 'EPIPE' ? 'the reader went away (EPIPE)' : `${e.code ?? 'error'}: ${e.message.replace(/^\w+ \w+ /, '')}`;
    const err = new CliError(`cannot write ${stream}: ${why}`, 'ERR_OUTPUT');
    try {
      reportFailure(err, asJson, (text) => void process.stderr.write(text));
    } catch {
      // standard error is gone too
    }
    process.exit(EXIT.IO);
  };
}
process.stdout.on('error', onOutputError('standard output'));
process.stderr.on('error', onOutputError('standard error'));

process.exitCode = await runCli(args, {
  out: (data) => void process.stdout.write(data),
  err: (text) => void process.stderr.write(text),
  readStdin: () => readStreamBounded(process.stdin, '<stdin>'),
  stdinIsTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  version,
  exactArgs: exactArgs(args, () => readFileSync('/proc/self/cmdline')),
});
