#!/usr/bin/env node
// `cttimeout`: conntrack timeout policies from the command line, nfct-compatible.
// Exit status: see EXIT_MEANINGS (generated from crates/codec/src/registry.rs) and `cttimeout --help`.
// No top-level await: the launcher (bin/cttimeout.cjs) loads this module's bundle with require(),
// which starts faster than the ES module loader (README "What made it fast").
import { readFileSync } from 'node:fs';
import { readStreamBounded } from './input.js';
import { Output, writeFailure } from './output.js';
import { reportFailure, runCli, wantsJson } from './run.js';
import { CliError, exactArgs, EXIT } from './strict.js';

const args = process.argv.slice(2);
const asJson = wantsJson(args);

// Output that cannot be written (`> /dev/full`, a reader that went away, a closed pipe) ends
// the run with one line on standard error, where that still works, and the I/O status.
const stderr = new Output(2, () => {
  // Nowhere left to say it: keep the status of what failed, or the I/O status.
  if (!process.exitCode) process.exitCode = EXIT.IO;
});
const stdout = new Output(1, (e) => {
  reportFailure(new CliError(`cannot write standard output: ${writeFailure(e)}`, 'ERR_OUTPUT'), asJson, (text) => stderr.write(text));
  process.exit(EXIT.IO);
});

void runCli(args, {
  out: (data) => stdout.write(data),
  err: (text) => stderr.write(text),
  readStdin: () => readStreamBounded(process.stdin, '<stdin>'),
  // Asked only by the commands that need to know (building the stream loads node:stream).
  get stdinIsTTY() {
    return process.stdin.isTTY === true;
  },
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
  // Read only by --version and nfct's `version` subsystem (`cttimeout list version`).
  get version() {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  },
  exactArgs: exactArgs(args, () => readFileSync('/proc/self/cmdline')),
}).then((status) => {
  // All written and the socket closed: exit now instead of letting Node tear its whole
  // environment down (~1 ms of a ~34 ms command on Node 24). Output still queued in a stream
  // (a non-blocking descriptor that was full) drains first.
  if (stdout.drained && stderr.drained) process.exit(status);
  process.exitCode = status;
});
