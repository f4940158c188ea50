import type { BenchCatalog } from './catalog-data';

/** Routes benchmarked side by side on the app and the bare baseline. */
export interface Scenario {
  name: string;
  path: string;
}

/** Framework overhead, then the catalog as an anonymous client reads it (over the loaded products). */
export function scenarios(catalog: BenchCatalog): Scenario[] {
  return [
    { name: 'liveness (framework overhead only)', path: '/health/live' },
    { name: 'readiness (two database round trips)', path: '/health/ready' },
    {
      name: `catalog: first page of ${catalog.products} products, newest first, anonymous`,
      path: '/v1/products?limit=20',
    },
    { name: 'catalog: one product by id, anonymous', path: `/v1/products/${catalog.productId}` },
  ];
}
