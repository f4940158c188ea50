import { Readable } from 'node:stream';

/** Why a streamed body was ended early: its reader stopped reading. */
export class ReaderIdleError extends Error {
  constructor(idleMs: number) {
    super(`the client read nothing for ${idleMs} ms; the stream was ended`);
    this.name = 'ReaderIdleError';
  }
}

/**
 * A response body produced by `chunks` as the client reads it. The first chunk
 * is produced before anything is answered, so an error thrown at the start
 * (bad input, a refusal) still becomes a problem response. The body holds one
 * chunk at a time; when the client has not asked for the next one for
 * `idleMs`, the body is destroyed, which ends `chunks` (its `finally` blocks
 * free what it holds) and breaks off the response.
 */
export async function streamedBody(chunks: AsyncGenerator<string>, idleMs: number): Promise<Readable> {
  const first = await chunks.next();
  let idle: NodeJS.Timeout | undefined;
  async function* guarded(): AsyncGenerator<string> {
    try {
      let next = first;
      while (!next.done) {
        idle = setTimeout(() => body.destroy(new ReaderIdleError(idleMs)), idleMs);
        yield next.value;
        clearTimeout(idle);
        next = await chunks.next();
      }
    } finally {
      clearTimeout(idle);
      await chunks.return(undefined);
    }
  }
  const body = Readable.from(guarded(), { objectMode: true, highWaterMark: 1 });
  return body;
}
