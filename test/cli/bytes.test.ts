import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/cttimeout/src/cli/run.js';
import { exactArgs } from '../../packages/cttimeout/src/cli/strict.js';
import { CLI, memoryIo, NFCT, runBytes, runIn, useNetnsAndDir } from '../helpers/cli.js';

const { ns } = useNetnsAndDir();

const FF = Uint8Array.of(0xff);
const FFFD = '\uFFFD'; // its UTF-8 is ef bf bd
const nfct = (...args: Array<string | Uint8Array>) => runBytes(ns, NFCT, args);
const ours = (...args: Array<string | Uint8Array>) => runBytes(ns, process.execPath, [CLI, ...args]);
const names = () =>
  nfct('list', 'timeout')
    .stdout.toString('latin1')
    .match(/^\..* = \{$/gm) ?? [];

beforeEach(() => {
  runIn(ns, NFCT, ['flush', 'timeout']);
  expect(nfct('add', 'timeout', FF, 'inet', 'tcp', 'established', '11').status).toBe(0);
  expect(nfct('add', 'timeout', FFFD, 'inet', 'tcp', 'established', '22').status).toBe(0);
  expect(names()).toEqual(['.\xff = {', '.\xef\xbf\xbd = {']);
});

describe('a name that is not UTF-8 is the policy of those bytes', () => {
  it("delete $'\\xff' deletes the ff policy, not U+FFFD", () => {
    const r = ours('delete', 'timeout', FF);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(names()).toEqual(['.\xef\xbf\xbd = {']);
    expect(ours('delete', 'timeout', FFFD).status).toBe(0);
    expect(names()).toEqual([]);
  });

  it('get and list print the bytes nfct prints', () => {
    for (const args of [
      ['list', 'timeout'],
      ['get', 'timeout', FF],
      ['get', 'timeout', FFFD],
    ]) {
      const theirs = nfct(...args);
      const mine = ours(...args);
      expect([mine.status, mine.stderr]).toEqual([0, '']);
      expect(mine.stdout.toString('hex')).toBe(theirs.stdout.toString('hex'));
    }
    expect(ours('get', 'timeout', FF).stdout.toString('latin1')).toContain('.ESTABLISHED = 11,');
  });

  it('add, update and --dry-run take the bytes', () => {
    expect(ours('add', 'timeout', Uint8Array.of(0x61, 0xfe), 'inet', 'udp', 'replied', '5').status).toBe(0);
    expect(nfct('get', 'timeout', Uint8Array.of(0x61, 0xfe)).stdout.toString('latin1')).toContain('.REPLIED = 5,');
    expect(ours('update', 'timeout', FF, 'inet', 'tcp', 'established', '33').status).toBe(0);
    expect(nfct('get', 'timeout', FF).stdout.toString('latin1')).toContain('.ESTABLISHED = 33,');
    expect(nfct('get', 'timeout', FFFD).stdout.toString('latin1')).toContain('.ESTABLISHED = 22,');
    // The dry run's name attribute holds ff 00, not ef bf bd 00.
    const dry = ours('--dry-run', 'delete', 'timeout', FF).stdout.toString();
    expect(dry).toMatch(/06000100ff000000\n$/); // nla_len 6, CTA_TIMEOUT_NAME, ff 00, padding
  });

  it('--json writes {"hex": "ff"} for the ff policy and the string for U+FFFD', () => {
    const list = JSON.parse(ours('list', 'timeout', '--json').stdout.toString());
    expect(list.map((p: { name: unknown }) => p.name)).toEqual([{ hex: 'ff' }, FFFD]);
    expect(JSON.parse(ours('get', 'timeout', FF, '--json').stdout.toString()).name).toEqual({ hex: 'ff' });
    expect(JSON.parse(ours('delete', 'timeout', FF, '--json').stdout.toString())).toEqual({ command: 'delete', name: { hex: 'ff' } });
  });
});

describe('when the exact bytes cannot be had, the CLI refuses', () => {
  it('exactArgs: bytes from the command line, the string for a real U+FFFD, null on a mismatch', () => {
    const cmdline =
      (...parts: Array<string | Uint8Array>) =>
      () =>
        Buffer.concat(parts.flatMap((p) => [Buffer.from(p), Buffer.of(0)]));
    expect(exactArgs(['get', FFFD], cmdline('node', '/x/main.js', 'get', FF))).toEqual(['get', FF]);
    expect(exactArgs(['get', FFFD], cmdline('node', 'get', FFFD))).toEqual(['get', FFFD]);
    expect(exactArgs(['a', FFFD], cmdline('node', 'b', FF))).toEqual(['a', null]);
    expect(
      exactArgs(['x', FFFD], () => {
        throw new Error('no /proc');
      }),
    ).toEqual(['x', null]);
    expect(exactArgs(['plain'], () => Buffer.alloc(0))).toEqual(['plain']);
  });

  it('a name with unknown bytes is ERR_INVALID_NAME, exit 64, and nothing is sent', async () => {
    const { io, text } = memoryIo({ exactArgs: ['--dry-run', 'delete', 'timeout', null] });
    expect(await runCli(['--dry-run', 'delete', 'timeout', FFFD], io)).toBe(64);
    expect(text.out).toBe('');
    expect(text.err).toMatch(/^cttimeout: policy name "\uFFFD": its bytes are not UTF-8 .*refusing rather than acting on another policy\n$/);
    text.err = '';
    io.exactArgs = ['delete', 'timeout', null, '--json'];
    expect(await runCli(['delete', 'timeout', FFFD, '--json'], io)).toBe(64);
    expect(JSON.parse(text.err).error).toMatchObject({ code: 'ERR_INVALID_NAME', field: 'name', exitCode: 64 });
  });
});
