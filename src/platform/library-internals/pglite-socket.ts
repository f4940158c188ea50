/**
 * Depends on the private shape of @electric-sql/pglite-socket 0.2.17 (pinned
 * exactly; 0.2.17 is the newest, and its queue still runs each protocol message
 * on its own): the server's `queryQueue` and the fields and methods below.
 * `keepExtendedQueriesTogether` checks that shape before patching it and throws
 * at start-up of the embedded database when an upgrade has changed it
 * (pglite-socket.spec.ts fails first).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** What the query queue holds and uses. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytesSent: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueueInternals {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

function isQueryQueue(value: unknown): value is QueryQueueInternals {
  if (typeof value !== 'object' || value === null) return false;
  const queue = value as Record<keyof QueryQueueInternals, unknown>;
  return (
    Array.isArray(queue.queue) &&
    typeof queue.processing === 'boolean' &&
    (queue.lastHandlerId === null || typeof queue.lastHandlerId === 'number') &&
    typeof queue.db === 'object' &&
    typeof queue.enqueue === 'function' &&
    typeof queue.processQueue === 'function' &&
    typeof queue.clearQueueForHandler === 'function'
  );
}

/** The server's query queue, or a loud error when pglite-socket no longer has the shape relied on. */
export function queryQueueOf(server: PGLiteSocketServer): QueryQueueInternals {
  const queue = (server as unknown as { queryQueue?: unknown }).queryQueue;
  if (!isQueryQueue(queue)) {
    throw new Error(
      "pglite-socket's query queue no longer has the shape the embedded database patches (server.queryQueue with queue, processing, lastHandlerId, db, enqueue, processQueue, clearQueueForHandler). " +
        'Revisit src/platform/library-internals/pglite-socket.ts.',
    );
  }
  return queue;
}

/** Parse, Bind, Describe, Execute, Close, Flush: the messages of an extended query before its Sync. */
const EXTENDED_QUERY_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((type) => type.charCodeAt(0)));

/**
 * pglite-socket queues each protocol message on its own, so outside a
 * transaction another connection's statement could run between one
 * connection's Parse and its Bind: the Bind then fails ("unnamed prepared
 * statement does not exist") or, worse, binds the other connection's
 * statement and answers with its rows. This keeps each connection's extended
 * query together until its Sync, as a real server's backend per connection
 * does, and still keeps a transaction's statements together as before.
 */
export function keepExtendedQueriesTogether(server: PGLiteSocketServer): void {
  const queue = queryQueueOf(server);
  /** The connection in the middle of an extended query: nobody else runs until its Sync. */
  let holder: number | null = null;

  queue.processQueue = async () => {
    if (queue.processing) return;
    queue.processing = true;
    try {
      while (queue.queue.length > 0) {
        const owner = holder ?? (queue.db.isInTransaction() ? queue.lastHandlerId : null);
        const index = owner === null ? 0 : queue.queue.findIndex((item) => item.handlerId === owner);
        // The owner's next message has not arrived yet: enqueue() calls again when it does.
        if (index === -1) return;
        const [item] = queue.queue.splice(index, 1);
        let bytesSent = 0;
        try {
          await queue.db.runExclusive(() =>
            queue.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytesSent += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          holder = null;
          item.reject(error);
          continue;
        }
        queue.lastHandlerId = item.handlerId;
        holder = EXTENDED_QUERY_MESSAGES.has(item.message[0]) ? item.handlerId : null;
        item.resolve(bytesSent);
      }
    } finally {
      queue.processing = false;
    }
  };

  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    clearQueueForHandler(handlerId);
    // A connection that closed mid-query never sends its Sync.
    if (holder === handlerId) {
      holder = null;
      void queue.processQueue();
    }
  };
}
