import { Client, type ClientConfig } from 'pg';

export interface BoundedClientConfig extends ClientConfig {
  /** How long a query may wait for its answer, in ms, before its connection is given up. */
  queryDeadlineMs: number;
}

/** A query got no answer in time: the database, or the network to it, stopped answering. */
export class QueryDeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`The database did not answer within ${deadlineMs} ms; the connection was closed`);
    this.name = 'QueryDeadlineError';
  }
}

/**
 * The pg client of the pool (`Client` of pg-pool's options): every query ends
 * within `queryDeadlineMs`, however the network to the server behaves. The
 * server's own `statement_timeout` cannot do that: its cancellation, like
 * the answer, must cross the network that stopped forwarding.
 *
 * At the deadline the connection is closed, not merely the query abandoned.
 * pg's own `query_timeout` fails the query but leaves the connection waiting
 * for the answer, still busy and perhaps inside a transaction, and the pool
 * would hand it to the next caller, whose statements would run there or queue
 * behind. Closed, the query fails with `QueryDeadlineError`, the client emits
 * it as an error, and the pool drops it (pg-pool's own `query`, and TypeORM's
 * query runner, release an erring client as broken). The server rolls back
 * the transaction when it sees the connection close, or at
 * `idle_in_transaction_session_timeout` if the news never reaches it.
 *
 * Queries submitted as objects of their own (pg-cursor, pg-query-stream) are
 * not bounded here; none is used.
 */
export class BoundedClient extends Client {
  constructor(config: BoundedClientConfig) {
    super(config);
    const { queryDeadlineMs } = config;
    const query = super.query.bind(this) as (...forms: unknown[]) => unknown;
    // One wrapper for pg's dozen overloads of `query` (promise, callback, submittable): each passes through as it came.
    this.query = ((...forms: unknown[]): unknown => {
      const deadline = setTimeout(() => this.abandon(queryDeadlineMs), queryDeadlineMs);
      const settle = (): void => clearTimeout(deadline);
      const callback = forms.at(-1);
      if (typeof callback === 'function') {
        forms[forms.length - 1] = (...results: unknown[]): unknown => {
          settle();
          return (callback as (...results: unknown[]) => unknown)(...results);
        };
      }
      const result = query(...forms);
      if (result instanceof Promise) void result.then(settle, settle);
      else if (typeof callback !== 'function') settle();
      return result;
    }) as Client['query'];
  }

  private abandon(queryDeadlineMs: number): void {
    this.connection.stream.destroy(new QueryDeadlineError(queryDeadlineMs));
  }
}
