import { Client } from 'pg';
import { EmbeddedPostgres } from '../src/platform/database/embedded-postgres';

/** The protocol messages pg's Client sends for one extended query, to send them one at a time. */
interface ProtocolConnection {
  parse(query: { text: string; types: number[] }): void;
  bind(config: { values: string[] }): void;
  execute(config: object): void;
  sync(): void;
  on(event: 'message', listener: (message: { name: string; message?: string; fields?: string[] }) => void): void;
  removeAllListeners(event: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A connection's extended query arriving in pieces (as a large message split
 * across TCP reads does) while another connection's statement comes in
 * between: the embedded server must not run the other statement in the middle.
 */
describe('embedded PostgreSQL with several connections', () => {
  let embedded: EmbeddedPostgres;
  let first: Client;
  let second: Client;

  beforeAll(async () => {
    embedded = await EmbeddedPostgres.start({ maxConnections: 5 });
  });
  afterAll(() => embedded.stop());

  beforeEach(async () => {
    first = new Client({ connectionString: embedded.url });
    second = new Client({ connectionString: embedded.url });
    await first.connect();
    await second.connect();
  });
  afterEach(async () => {
    await second.end();
    // `first` was driven by hand; its socket just closes.
    await first.end().catch(() => undefined);
  });

  /** Takes over `client`'s connection: its messages are recorded instead of handled. */
  function driveByHand(client: Client): { connection: ProtocolConnection; received: string[] } {
    const connection = (client as unknown as { connection: ProtocolConnection }).connection;
    for (const event of [
      'parseComplete',
      'bindComplete',
      'errorMessage',
      'dataRow',
      'commandComplete',
      'readyForQuery',
      'rowDescription',
    ]) {
      connection.removeAllListeners(event);
    }
    const received: string[] = [];
    connection.on('message', (message) => {
      // PGlite reports its settings again after a simple query; not part of the exchange.
      if (message.name === 'parameterStatus') return;
      if (message.name === 'error') received.push(`error: ${message.message}`);
      else if (message.name === 'dataRow') received.push(`dataRow ${message.fields?.join(',')}`);
      else received.push(message.name);
    });
    return { connection, received };
  }

  it.each([
    ['a simple query', () => second.query('SELECT 42 AS answer')],
    ['another extended query', () => second.query('SELECT $1::int + 1000 AS answer', [-958])],
  ])('runs %s of another connection only after the Sync of one in progress', async (_what, other) => {
    const { connection, received } = driveByHand(first);
    connection.parse({ text: 'SELECT $1::int AS n', types: [] });
    await sleep(50);
    const answer = other();
    await sleep(50);
    connection.bind({ values: ['7'] });
    connection.execute({});
    connection.sync();
    expect((await answer).rows).toEqual([{ answer: 42 }]);
    await sleep(50);
    expect(received).toEqual(['parseComplete', 'bindComplete', 'dataRow 7', 'commandComplete', 'readyForQuery']);
  });
});
