import { randomUUID } from 'node:crypto';
import { ProbeModule } from './support/fixtures/probe.module';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;
const PROBES = '/v1/test-probes';

describe('problem responses', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ BODY_LIMIT_BYTES: '2048' }, [ProbeModule]);
  });
  afterAll(() => testApp.close());

  it('answers an unknown route with a 404 problem', async () => {
    const response = await testApp.http.get('/v1/no-such-thing?x=1').expect(404);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toEqual({
      type: 'https://problems.b2b-commerce.example/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches GET /v1/no-such-thing.',
      instance: '/v1/no-such-thing',
      requestId: response.headers['x-request-id'],
    });
  });

  it('accepts a valid body, so the denials below are about the input', async () => {
    const body = { name: 'ok', lines: [{ productId: randomUUID(), quantity: 2 }] };
    const response = await testApp.http.post(PROBES).send(body).expect(201);
    expect(response.body).toEqual(body);
  });

  it('lists every invalid field, nested ones with their path', async () => {
    const response = await testApp.http
      .post(PROBES)
      .send({ name: '', lines: [{ productId: 'nope', quantity: 0 }] })
      .expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 400, type: expect.stringMatching(/validation-failed$/) });
    const fields = (response.body.errors as { field: string }[]).map((error) => error.field).sort();
    expect(fields).toEqual(['lines.0.productId', 'lines.0.quantity', 'name']);
  });

  it('refuses fields the endpoint does not know', async () => {
    const response = await testApp.http.post(PROBES).send({ name: 'x', lines: [], isAdmin: true }).expect(400);
    expect(response.body.errors).toEqual([{ field: 'isAdmin', message: 'property isAdmin should not exist' }]);
  });

  it('answers a malformed path id with a 400 problem', async () => {
    const response = await testApp.http.get(`${PROBES}/not-a-uuid`).expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  });

  it('answers malformed JSON with a 400 problem that leaks no parser internals', async () => {
    const response = await testApp.http
      .post(PROBES)
      .set('content-type', 'application/json')
      .send('{"broken": ')
      .expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 400, type: expect.stringMatching(/malformed-json$/) });
    expect(JSON.stringify(response.body)).not.toMatch(/ at |SyntaxError|node_modules/);
  });

  it('answers a body over the limit with a 413 problem', async () => {
    const response = await testApp.http
      .post(PROBES)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(4096), lines: [] }))
      .expect(413);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 413, type: expect.stringMatching(/payload-too-large$/) });
  });

  it('answers an unsupported media type with a 415 problem', async () => {
    const response = await testApp.http
      .post(PROBES)
      .set('content-type', 'application/xml')
      .send('<probe/>')
      .expect(415);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 415, type: expect.stringMatching(/unsupported-media-type$/) });
  });
});
