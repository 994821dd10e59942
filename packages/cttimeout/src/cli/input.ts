// Bounded input for policy files, `decode` and standard input: at most INPUT_CAP bytes, and a
// FIFO, device or endless file (/dev/zero) never blocks the open or grows memory past the cap.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CliError } from './strict.js';

/** The largest input read: far above any policy file or capture of this tool, far below memory. */
export const INPUT_CAP = 64 * 1024 * 1024;

const MiB = 1024 * 1024;

function tooLarge(what: string, cap: number): CliError {
  return new CliError(
    `${what}: input larger than ${cap >= MiB ? `${cap / MiB} MiB` : `${cap} bytes`}, the most cttimeout reads (is it the right file?)`,
    'ERR_INPUT_TOO_LARGE',
    'file',
    { position: { file: what } },
  );
}

function readError(what: string, e: unknown): CliError {
  const err = e as NodeJS.ErrnoException;
  return new CliError(`cannot read ${what}: ${err.code ? `${err.code}: ` : ''}${err.message.replace(/^\w+: /, '')}`, 'ERR_READ', 'file', {
    position: { file: what },
  });
}

/** Collects a stream's chunks, failing as soon as they pass the cap. */
export async function readStreamBounded(
  stream: AsyncIterable<Uint8Array> & { destroy?(): void },
  what: string,
  cap = INPUT_CAP,
  already = 0,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = already;
  try {
    for await (const c of stream) {
      total += c.length;
      if (total > cap) {
        stream.destroy?.();
        throw tooLarge(what, cap);
      }
      chunks.push(c);
    }
  } catch (e) {
    throw e instanceof CliError ? e : readError(what, e);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a file under the cap. It is opened O_NONBLOCK, so a FIFO without a writer does not
 * hang the open (it is an error); regular files and devices are read in a loop that stops at
 * the cap; a pipe whose writer is still writing (`-f <(generate)`) is streamed.
 */
export async function readFileBounded(path: string | Buffer, what: string, cap = INPUT_CAP): Promise<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw readError(what, e);
  }
  let handedOff = false;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CliError(`cannot read ${what}: it is a directory`, 'ERR_READ', 'file', { position: { file: what } });
    if (st.isFile() && st.size > cap) throw tooLarge(what, cap);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, cap + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || !(st.isFIFO() || st.isSocket())) throw readError(what, e);
        // A pipe whose writer has not written yet: read it from the event loop.
        handedOff = true;
        // net is loaded only here, not at every start-up.
        const { Socket } = process.getBuiltinModule('node:net');
        const rest = await readStreamBounded(new Socket({ fd, readable: true, writable: false }), what, cap, total);
        return Buffer.concat([...chunks, rest]);
      }
      if (n === 0) {
        // A FIFO without a writer reads as empty at once: that is no policy list (with --prune
        // it would delete everything), so say so instead of waiting or guessing.
        if (total === 0 && (st.isFIFO() || st.isSocket()))
          throw new CliError(`cannot read ${what}: the pipe has no writer (or the writer sent nothing)`, 'ERR_READ', 'file', { position: { file: what } });
        return Buffer.concat(chunks);
      }
      total += n;
      if (total > cap) throw tooLarge(what, cap);
      chunks.push(buf.subarray(0, n));
    }
  } finally {
    if (!handedOff) closeSync(fd);
  }
}
