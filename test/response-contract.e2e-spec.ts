import { ContractBreachModule } from './support/fixtures/contract-breach.module';
import type { OpenApiDocument } from './support/openapi-document';
import { type ReceivedResponse, ResponseContract } from './support/response-contract';
import type TestAgent from 'supertest/lib/agent';
import { checkedClient, startTestApp, type TestApp } from './support/test-app';

const PROBLEM = 'application/problem+json';

const document: OpenApiDocument = {
  openapi: '3.0.0',
  info: { title: 'contract', version: '1' },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'count', 'note', 'state'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          count: { type: 'integer', minimum: 0, exclusiveMinimum: true, example: 3 },
          note: { type: 'string', nullable: true },
          state: { type: 'string', enum: ['open', 'closed'], nullable: true },
        },
      },
      ProblemDetailsDto: { type: 'object', required: ['status'], properties: { status: { type: 'integer' } } },
    },
  },
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'Things_get',
        responses: {
          '200': {
            description: 'x',
            headers: {
              ETag: { required: true, schema: { type: 'string', pattern: '^"' } },
              'Retry-After': { schema: { type: 'integer' } },
            },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '304': { description: 'not modified' },
          '404': {
            description: 'x',
            content: { [PROBLEM]: { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
          },
        },
      },
    },
    '/things/export': {
      get: {
        operationId: 'Things_export',
        responses: {
          '200': { description: 'x', content: { 'text/csv; charset=utf-8': { schema: { type: 'string' } } } },
        },
      },
    },
  },
};

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const thing = { id: ID, count: 1, note: null, state: null };

function json(status: number, body: unknown, headers: Record<string, string> = {}): ReceivedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    text: JSON.stringify(body),
  };
}

describe('the response contract', () => {
  const contract = ResponseContract.of(document);
  const check =
    (response: ReceivedResponse, method = 'GET', url = `/things/${ID}?expand=1`) =>
    () =>
      contract.check(method, url, response);

  it('is built once per document', () => {
    expect(ResponseContract.of(structuredClone(document))).toBe(contract);
  });

  it('passes a response that keeps to the document, nullable members null', () => {
    expect(check(json(200, thing, { etag: '"v1"' }))).not.toThrow();
    expect(
      check(json(200, { ...thing, note: 'n', state: 'open' }, { etag: '"v1"', 'retry-after': '5' })),
    ).not.toThrow();
    expect(check({ status: 304, headers: {}, text: '' })).not.toThrow();
    expect(check({ status: 404, headers: { 'content-type': PROBLEM }, text: '{"status":404}' })).not.toThrow();
    const csv = { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, text: 'a,b\n' };
    expect(check(csv, 'GET', '/things/export')).not.toThrow();
  });

  it('checks a HEAD response as GET without content', () => {
    expect(check({ status: 200, headers: { 'content-type': 'application/json', etag: '"v1"' } }, 'HEAD')).not.toThrow();
    expect(check({ status: 200, headers: { 'content-type': 'application/json' } }, 'HEAD')).toThrow(
      /required header ETag is missing/,
    );
  });

  it.each<[string, ReceivedResponse, RegExp]>([
    ['a status it does not list', json(500, { status: 500 }), /answered 500[^]*status 500 is not documented/],
    ['a body that breaks the schema', json(200, { ...thing, count: 0 }, { etag: '"v1"' }), /body\/count: must be > 0/],
    [
      'a member missing',
      json(200, { id: ID, count: 2, note: null }, { etag: '"v1"' }),
      /must have required property 'state'/,
    ],
    [
      'a value off its enum',
      json(200, { ...thing, state: 'lost' }, { etag: '"v1"' }),
      /body\/state: must be equal to one/,
    ],
    ['a malformed uuid', json(200, { ...thing, id: 'x' }, { etag: '"v1"' }), /body\/id: must match format "uuid"/],
    ['a required header missing', json(200, thing), /required header ETag is missing/],
    ['a header that breaks its schema', json(200, thing, { etag: 'v1' }), /header ETag: must match pattern/],
    [
      'a numeric header that is not a number',
      json(200, thing, { etag: '"v1"', 'retry-after': 'soon' }),
      /header Retry-After: must be integer/,
    ],
    [
      'a media type it does not list',
      json(404, { status: 404 }),
      /Content-Type application\/json; charset=utf-8 is not documented/,
    ],
    [
      'a body where it documents none',
      json(304, {}),
      /a body \(application\/json; charset=utf-8\) where the document says there is none/,
    ],
    [
      'a body that is not the JSON it claims',
      { status: 200, headers: { 'content-type': 'application/json', etag: '"1"' }, text: '{' },
      /not the application\/json it says/,
    ],
  ])('fails %s, naming the operation and status', (_case, response, message) => {
    expect(check(response)).toThrow(/^GET \/things\/\{id\} \(Things_get\) answered \d+ against the document/);
    expect(check(response)).toThrow(message);
  });

  it('fails a request that no documented operation answers', () => {
    expect(check(json(200, {}), 'DELETE')).toThrow(
      `DELETE /things/${ID} (no documented operation) answered 200 against the document:\n  - the document has no such operation`,
    );
    expect(check(json(200, {}), 'GET', '/other')).toThrow(/no such operation/);
  });

  describe('leaves the router its answers to requests no operation matches', () => {
    const problem = (status: number, headers: Record<string, string> = {}) => ({
      status,
      headers: { 'content-type': PROBLEM, ...headers },
      text: JSON.stringify({ status }),
    });

    it('404 for a path no operation has, 405 with Allow for a documented path', () => {
      expect(check(problem(404), 'GET', '/other')).not.toThrow();
      expect(check(problem(405, { allow: 'GET, HEAD' }), 'POST')).not.toThrow();
    });

    it('any other 4xx problem, as the transport refuses what it cannot route (400, 413, 414, 431...)', () => {
      expect(check(problem(431), 'GET', '/other')).not.toThrow();
      expect(check(problem(400), 'POST', `/things/${ID}`)).not.toThrow();
      expect(check(problem(500), 'GET', '/other')).toThrow(
        /answered 500 against the document:\n {2}- the document has no such operation/,
      );
    });

    it.each<[string, ReceivedResponse, string, RegExp]>([
      [
        'a 405 for a path no operation has',
        problem(405, { allow: 'GET' }),
        '/other',
        /answered 405 against the document:\n {2}- the document has no such operation/,
      ],
      [
        'a 404 for a documented path',
        problem(404),
        `/things/${ID}`,
        /answered 404 against the document:\n {2}- the document has no such operation/,
      ],
      [
        'a 405 whose Allow misses a method',
        problem(405, { allow: 'HEAD' }),
        `/things/${ID}`,
        /Allow does not name GET/,
      ],
      [
        'an answer that is not a problem',
        json(404, { status: 404 }),
        '/other',
        /Content-Type application\/json; charset=utf-8 is not application\/problem\+json/,
      ],
      [
        'a problem that breaks the problem schema',
        { ...problem(404), text: '{"status":"404"}' },
        '/other',
        /body\/status: must be integer/,
      ],
    ])('but fails %s', (_case, response, url, message) => {
      expect(check(response, 'POST', url)).toThrow(message);
    });
  });

  it('leaves the document, its UI and CORS preflights alone', () => {
    expect(
      check({ status: 200, headers: { 'content-type': 'text/html' }, text: '<html>' }, 'GET', '/docs'),
    ).not.toThrow();
    expect(check({ status: 204, headers: {} }, 'OPTIONS')).not.toThrow();
  });
});

describe('the checked test client', () => {
  let testApp: TestApp;
  let http: TestAgent;
  beforeAll(async () => {
    testApp = await startTestApp({}, [ContractBreachModule]);
    http = checkedClient(testApp.app.getHttpServer(), testApp.document);
  });
  afterAll(() => testApp.close());

  it('fails the request whose response breaks the served document', async () => {
    await expect(http.get('/v1/test-contract-breaches/wrong-body').expect(200)).rejects.toThrow(
      /^GET \/v1\/test-contract-breaches\/wrong-body \(ContractBreach_wrongBody\) answered 200 against the document:\n {2}- body\/count: must be integer/,
    );
  });

  it('fails the request that reaches an undocumented route', async () => {
    await expect(http.get('/v1/test-contract-breaches/undocumented')).rejects.toThrow(/no such operation/);
  });

  it('passes a response that keeps to the document', async () => {
    await http.get('/v1/products').expect(200);
  });
});
