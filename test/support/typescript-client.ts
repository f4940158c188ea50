import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../clients/typescript/schema';
import type { OpenApiDocument } from './openapi-document';
import { ResponseContract } from './response-contract';

export type ApiClient = Client<paths>;

/**
 * The TypeScript client generated from the document (clients/typescript), as
 * an integrator uses it against `baseUrl`; each response is checked against
 * `document` as the shared test client's are.
 */
export function typedClient(baseUrl: string, document: OpenApiDocument): ApiClient {
  const client = createClient<paths>({ baseUrl });
  const contract = ResponseContract.of(document);
  client.use({
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      contract.check(request.method, request.url, {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        text,
      });
    },
  });
  return client;
}
