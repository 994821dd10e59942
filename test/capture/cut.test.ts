// A capture cut short (item 12 of issue 8): the good packets are decoded, then the cut one is
// reported with its byte offset, by the CLI's decode as by the reader.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../packages/cttimeout/src/capture/index.js';
import { formatNfct } from '../../packages/cttimeout/src/codec/node.js';
import { bytes } from '../helpers/fixtures.js';
import { CLI, requireBuiltCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/netns.js';

const dir = useTmpDir('cttimeout-cut-');

function decodeCli(file: string, json = false) {
  const r = spawnSync(process.execPath, [CLI, 'decode', file, ...(json ? ['--json'] : [])]);
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}

describe('cttimeout decode of a pcap cut short', () => {
  requireBuiltCli();
  const session = [
    { bytes: bytes('B.request'), direction: 'sent' as const },
    { bytes: bytes('B.policy'), direction: 'received' as const },
    { bytes: bytes('K.tcp.reply'), direction: 'received' as const },
  ];
  const whole = writePcap(session);
  const cut = whole.subarray(0, whole.length - 9);
  const third = 24 + (32 + session[0]!.bytes.length) + (32 + session[1]!.bytes.length);
  const file = join(dir, 'cut.pcap');
  writeFileSync(file, cut);

  it('prints the good packets, then names the cut record and its byte, and exits 1', () => {
    const r = decodeCli(file);
    expect(r.stdout).toBe(formatNfct(bytes('B.policy')).blocks.join('\n') + '\n');
    expect(r.stderr).toBe(
      `cttimeout: ${file}: packet 3 at byte ${third}: record says ${16 + session[2]!.bytes.length} bytes but only ${16 + session[2]!.bytes.length - 9} are left (the file is cut short) (ERR_CAPTURE_TRUNCATED)\n`,
    );
    expect(r.status).toBe(1);
  });

  it('--json holds the good datagrams and the error with its offset', () => {
    const r = decodeCli(file, true);
    const out = JSON.parse(r.stdout);
    expect(out.datagrams.map((d: { length: number }) => d.length)).toEqual([session[0]!.bytes.length, session[1]!.bytes.length]);
    expect(out.error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: third });
    expect(r.status).toBe(1);
  });

  it('the whole file decodes with exit 0', () => {
    const ok = join(dir, 'whole.pcap');
    writeFileSync(ok, whole);
    expect(decodeCli(ok).status).toBe(0);
  });
});
