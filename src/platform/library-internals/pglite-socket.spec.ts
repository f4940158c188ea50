import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepExtendedQueriesTogether, queryQueueOf } from './pglite-socket';

/**
 * A server that is never started: its constructor builds the query queue and
 * only keeps the database it is given. What the patched queue does with a real
 * PGlite is proven in test/embedded-postgres.e2e-spec.ts.
 */
const unstartedServer = () => new PGLiteSocketServer({ db: {} as PGlite, port: 0 });

describe('pglite-socket internals', () => {
  it('the server still has the query queue the embedded database patches', () => {
    expect(() => queryQueueOf(unstartedServer())).not.toThrow();
  });

  it('every message still goes through the queue processor the patch replaces', () => {
    const server = unstartedServer();
    keepExtendedQueriesTogether(server);
    const queue = queryQueueOf(server);
    const processQueue = jest.fn(() => Promise.resolve());
    queue.processQueue = processQueue;
    void queue.enqueue(1, new Uint8Array([0x51]), () => undefined);
    expect(processQueue).toHaveBeenCalledTimes(1);
    expect(queue.queue.map((item) => item.handlerId)).toEqual([1]);
  });

  it('fails loudly when the queue has another shape', () => {
    const server = unstartedServer();
    Object.assign(server, { queryQueue: { queue: [], process: () => undefined } });
    expect(() => keepExtendedQueriesTogether(server)).toThrow(/pglite-socket's query queue no longer has the shape/);
  });
});
