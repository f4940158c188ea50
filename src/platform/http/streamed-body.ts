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
 * chunk at a time. However it ends — read to the end, failed, destroyed before
 * its first read (a HEAD request, a client gone before the answer), or idle
 * for `idleMs` with a chunk unread — `chunks` is ended with it, so its
 * `finally` blocks free what it holds.
 */
export async function streamedBody(chunks: AsyncGenerator<string>, idleMs: number): Promise<Readable> {
  let pending: IteratorResult<string> | undefined = await chunks.next();
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => body.destroy(new ReaderIdleError(idleMs)), idleMs).unref();
  };
  const body = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      clearTimeout(idle);
      const next = pending ? Promise.resolve(pending) : chunks.next();
      pending = undefined;
      next.then(
        (result) => {
          if (body.destroyed) return;
          if (result.done) {
            body.push(null);
            return;
          }
          body.push(result.value);
          armIdle();
        },
        (error: Error) => body.destroy(error),
      );
    },
    destroy(error, callback) {
      clearTimeout(idle);
      chunks.return(undefined).then(
        () => callback(error),
        (returnError: Error) => callback(error ?? returnError),
      );
    },
  });
  armIdle();
  return body;
}
