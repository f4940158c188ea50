import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CARD } from './support/billing';
import { createProduct, type TestProduct } from './support/catalog';
import { adminSession, createUser, type TestUser } from './support/identity';
import { shippingAddress } from './support/orders';
import { startTestApp, type TestApp } from './support/test-app';
import { type ApiClient, typedClient } from './support/typescript-client';

/** What a call answered, or a failure naming the status and the problem it came with. */
function answered<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`answered ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/**
 * A whole order flow as an integrator writes it with the client generated from
 * the document (clients/typescript, `npm run client:generate`): type-checked
 * by `tsc --strict` in `npm run lint`, so a document change that breaks
 * clients breaks the build; run against the real app over HTTP.
 */
describe('an order flow through the generated TypeScript client', () => {
  let testApp: TestApp;
  let client: ApiClient;
  let buyer: TestUser;
  let product: TestProduct;

  beforeAll(async () => {
    testApp = await startTestApp();
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    client = typedClient(await testApp.app.getUrl(), testApp.document);
    const admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
    product = await createProduct(testApp, admin, { priceCents: 1_250, taxRateBps: 2_000, stock: 10 });
  });
  afterAll(() => testApp.close());

  it('signs in, finds a product, orders it once under an Idempotency-Key, pays the invoice and reads the order paid', async () => {
    const tokens = answered(
      await client.POST('/v1/auth/login', { body: { email: buyer.email, password: buyer.password } }),
    );
    const headers = { Authorization: `${tokens.tokenType} ${tokens.accessToken}` };

    const page = answered(await client.GET('/v1/products', { params: { query: { q: product.sku } }, headers }));
    const found = page.items.find((item) => item.id === product.id);
    expect(found).toMatchObject({ sku: product.sku, priceCents: 1_250, currency: 'EUR' });
    if (!found) return;

    const key = randomUUID();
    const place = () =>
      client.POST('/v1/orders', {
        params: { header: { 'Idempotency-Key': key } },
        body: { items: [{ productId: found.id, quantity: 2 }], shippingAddress: shippingAddress() },
        headers,
      });
    const placed = await place();
    const order = answered(placed);
    expect(placed.response.status).toBe(201);
    expect(order).toMatchObject({ status: 'pending_payment', subtotalCents: 2_500, taxCents: 500, totalCents: 3_000 });
    const replayed = await place();
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
    expect(answered(replayed).id).toBe(order.id);

    const payment = answered(
      await client.POST('/v1/invoices/{id}/payments', {
        params: { path: { id: order.invoiceId }, header: { 'Idempotency-Key': randomUUID() } },
        body: { paymentMethod: { type: 'card', token: CARD.visa } },
        headers,
      }),
    );
    expect(payment).toMatchObject({ status: 'succeeded', invoiceId: order.invoiceId, amountCents: 3_000 });

    const read = answered(await client.GET('/v1/orders/{id}', { params: { path: { id: order.id } }, headers }));
    expect(read).toMatchObject({ id: order.id, status: 'paid', invoiceId: order.invoiceId });
    expect(read.lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 2, totalCents: 3_000 })]);
  });
});

describe('the committed TypeScript client', () => {
  const root = resolve(__dirname, '..');
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'client-drift-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('is what `npm run client:generate` makes of the document now', async () => {
    const run = promisify(execFile);
    const document = join(directory, 'openapi.json');
    const generated = join(directory, 'schema.d.ts');
    // What client:generate runs, on the build `npm run test:e2e` has just made.
    await run(process.execPath, ['dist/src/cli/openapi-document.js', document], { cwd: root });
    await run(
      process.execPath,
      [
        'node_modules/openapi-typescript/bin/cli.js',
        document,
        '--redocly',
        'clients/typescript/redocly.yaml',
        '--output',
        generated,
      ],
      { cwd: root },
    );
    const committed = await readFile(join(root, 'clients/typescript/schema.d.ts'), 'utf8');
    // A bare toBe would print both files whole; the message says what to do.
    if ((await readFile(generated, 'utf8')) !== committed) {
      throw new Error('clients/typescript/schema.d.ts differs from the document: run `npm run client:generate`');
    }
  });
});
