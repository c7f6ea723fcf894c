import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (fewer if it ends sooner) and returns them with a stream
 * that still yields everything, head included — so content can be checked before it is stored,
 * without buffering the file.
 */
export async function peek(
  source: Readable,
  bytes: number,
): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const buffered = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (buffered.length) yield buffered;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: buffered.subarray(0, bytes), stream: Readable.from(replay()) };
}

/** Counts and hashes the bytes flowing through; fails with `tooLarge()` past `maxBytes`. */
export class ByteMeter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return callback(this.tooLarge());
    this.hash.update(chunk);
    callback(null, chunk);
  }

  get sha256(): string {
    return this.hash.digest('hex');
  }
}
