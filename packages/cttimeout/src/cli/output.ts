// Standard output and error for the command, written with write(2) on descriptors 1 and 2
// rather than through process.stdout / process.stderr: the first use of either builds a stream,
// which loads node:stream and net (~5 ms of a ~35 ms Node start on Node 24) for a command that
// writes a few lines. Writes are synchronous and whole, as Node's own are on Linux for files,
// pipes and terminals. A descriptor someone made non-blocking (it is shared with the parent)
// can refuse with EAGAIN when full: from then on that descriptor's output goes through Node's
// stream, which waits for room, so nothing is lost and the order is kept.
import { writeSync } from 'node:fs';

export type OutputErrorHandler = (e: NodeJS.ErrnoException) => void;

export class Output {
  #stream: NodeJS.WriteStream | undefined;
  #failed = false;

  /** `onError` hears a write that failed (EPIPE, ENOSPC, EBADF, ...), once. */
  constructor(
    readonly fd: 1 | 2,
    private readonly onError: OutputErrorHandler,
  ) {}

  write(data: string | Uint8Array): void {
    if (this.#failed) return;
    if (this.#stream !== undefined) {
      this.#stream.write(data);
      return;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let at = 0;
    try {
      while (at < bytes.length) at += writeSync(this.fd, bytes, at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') this.#toStream().write(bytes.subarray(at));
      else this.#fail(e as NodeJS.ErrnoException);
    }
  }

  /** Nothing of this output is still waiting to be written. */
  get drained(): boolean {
    return this.#stream === undefined || this.#stream.writableLength === 0;
  }

  #toStream(): NodeJS.WriteStream {
    const stream = this.fd === 1 ? process.stdout : process.stderr;
    stream.on('error', (e: NodeJS.ErrnoException) => this.#fail(e));
    this.#stream = stream;
    return stream;
  }

  #fail(e: NodeJS.ErrnoException): void {
    if (this.#failed) return;
    this.#failed = true;
    this.onError(e);
  }
}

/** "the reader went away (EPIPE)", "ENOSPC: no space left on device", ... */
export function writeFailure(e: NodeJS.ErrnoException): string {
  if (e.code === 'EPIPE') return 'the reader went away (EPIPE)';
  // writeSync says "ENOSPC: no space left on device, write", a stream "write ENOSPC".
  const text = e.message.replace(/^write /, '').replace(/, write$/, '');
  return e.code !== undefined && text.startsWith(e.code) ? text : `${e.code ?? 'error'}: ${text}`;
}
