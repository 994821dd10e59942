// Bounded input and output errors (issue 8 items 6, 7, 9): endless input fails fast with the
// cap error, a FIFO never hangs the CLI, a full or closed output ends with one `cttimeout:`
// line and the I/O status (8), never a stack trace. Every run is in a private network namespace.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, nfct, ours, ROOT, useNetnsAndDir } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();
const fifo = join(dir, 'fifo');
beforeAll(() => execFileSync('mkfifo', [fifo]));

/** Runs our CLI through bash in the namespace, for redirections; returns status, stderr and the time taken. */
function sh(redirected: string, timeoutMs = 20_000): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync('bash', ['-c', `nsenter --net=${ns.path} ${process.execPath} ${CLI} ${redirected}`], { timeout: timeoutMs, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), ms: Date.now() - started };
}

/** One `cttimeout:` line, no stack trace. */
function oneLine(stderr: string): void {
  expect(stderr).toMatch(/^cttimeout: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('input is bounded (64 MiB) and never blocks', () => {
  for (const line of ['apply -f /dev/zero', 'decode /dev/zero', 'apply -f - < /dev/zero', 'decode - < /dev/zero', 'apply --dry-run -f /dev/zero']) {
    it(`${line}: ERR_INPUT_TOO_LARGE, exit 8, fast`, () => {
      const r = sh(line);
      expect(r.status, r.stderr).toBe(8);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/: input larger than 64 MiB, the most cttimeout reads/);
      expect(r.ms).toBeLessThan(10_000);
    });
  }

  it('--json: the cap error is one JSON object naming the code and the file', () => {
    const r = sh('apply -f /dev/zero --json');
    expect(r.status).toBe(8);
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        code: 'ERR_INPUT_TOO_LARGE',
        errno: null,
        message: expect.stringContaining('/dev/zero: input larger than 64 MiB'),
        operation: null,
        field: 'file',
        file: '/dev/zero',
        line: null,
        column: null,
        exitCode: 8,
      },
    });
  });

  it('a FIFO without a writer is an error at once, not a wait and not an empty list', () => {
    for (const line of [`apply -f ${fifo} --prune`, `decode ${fifo}`]) {
      const r = sh(line);
      expect([r.status, r.stdout], line).toEqual([8, '']);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/the pipe has no writer/);
    }
  });

  it('a pipe with a slow writer is read to its end (process substitution)', () => {
    const r = sh(`apply --dry-run -f <(sleep 0.3; echo '- {name: p, family: inet, protocol: udp, timeouts: {replied: 5}}')`);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe('would create p (inet udp)\n');
  });

  it('a directory is an I/O error', () => {
    const r = sh(`apply --dry-run -f ${dir}`);
    expect(r.status).toBe(8);
    expect(r.stderr).toMatch(/it is a directory/);
  });

  it('--netns and --capture naming a FIFO fail fast', () => {
    for (const line of [`--netns ${fifo} list timeout`, `--capture ${fifo} list timeout`]) {
      const r = sh(line, 15_000);
      expect(r.status, `${line}: ${r.stderr}`).not.toBe(0);
      expect(r.status, line).not.toBeNull(); // not killed by the timeout
      oneLine(r.stderr);
      expect(r.ms, line).toBeLessThan(10_000);
    }
  });
});

describe('output errors end with one line and exit 8', () => {
  beforeAll(() => {
    nfct(ns, ['flush', 'timeout']);
    // Enough text that a pipe reader going away is seen while we still write.
    const lines = Array.from({ length: 2000 }, (_, i) => `- {name: p${i}, family: inet, protocol: udp}`).join('\n');
    writeFileSync(join(dir, 'many.yaml'), lines + '\n');
    const r = ours(ns, ['apply', '-f', join(dir, 'many.yaml')]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('list timeout > /dev/full', () => {
    const r = sh('list timeout > /dev/full');
    expect(r.status).toBe(8);
    oneLine(r.stderr);
    expect(r.stderr).toBe('cttimeout: cannot write standard output: ENOSPC: no space left on device\n');
    const j = sh('list timeout --json > /dev/full');
    expect(j.status).toBe(8);
    expect(JSON.parse(j.stderr).error).toMatchObject({ code: 'ERR_OUTPUT', exitCode: 8 });
  });

  it('list timeout | head -c1: the reader went away (EPIPE)', () => {
    const r = spawnSync(
      'bash',
      ['-c', `set -o pipefail; nsenter --net=${ns.path} ${process.execPath} ${CLI} list timeout | head -c1 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`],
      { timeout: 20_000 },
    );
    const stderr = r.stderr.toString();
    expect(stderr).toMatch(/^cttimeout: cannot write standard output: the reader went away \(EPIPE\)\nstatus=8\n$/);
  });

  it('a non-blocking standard output that fills up: all of it arrives, in order, exit 0', async () => {
    // The command writes with write(2); a descriptor shared with a parent that set O_NONBLOCK
    // refuses with EAGAIN when full, and the rest must still arrive (through Node's stream).
    // perl (perl-base is essential in Debian) sets the flag and execs the command; the reader
    // waits before reading, so the socket is full long before the ~830 KB are written.
    const template = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/protocol-md-captures.json'), 'utf8')).find((x: { id: string }) => x.id === 'B.policy')
      .hex as string;
    const file = join(dir, 'big.hex');
    writeFileSync(file, `${Array.from({ length: 3000 }, () => template).join('\n')}\n`);
    const want = execFileSync('nsenter', [`--net=${ns.path}`, process.execPath, CLI, 'decode', file], { maxBuffer: 1 << 26 });
    const nonBlocking = 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die "fcntl: $!"; exec @ARGV or die "exec: $!"';
    const child = spawn('nsenter', [`--net=${ns.path}`, 'perl', '-MFcntl', '-e', nonBlocking, process.execPath, CLI, 'decode', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise((r) => child.on('close', r));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 500));
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stdout.resume(); // (a 'data' listener does not undo an explicit pause)
    const status = await closed;
    clearTimeout(killer);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(want.length).toBeGreaterThan(800_000);
    expect(Buffer.concat(out).equals(want)).toBe(true);
  });

  it('a closed or full standard error: the status still says what happened', () => {
    expect(sh('get timeout nope 2>&-').status).toBe(3);
    expect(sh('get timeout nope 2>/dev/full').status).toBe(3);
    expect(sh('list timeout 2>&- >/dev/null').status).toBe(0);
  });
});
