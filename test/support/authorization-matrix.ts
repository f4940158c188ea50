import type { Role } from '../../src/access/roles';
import { adminSession, bearer, createOrganization, createUser, type TestUser } from './identity';
import type { TestApp } from './test-app';

/**
 * The columns of the authorization matrix: every role, an anonymous caller,
 * and a customer of another organization (org_admin and buyer at once, the
 * most a customer can be), for whom the home organization's objects are 404.
 */
export const CALLERS = [
  'admin',
  'catalog_manager',
  'fulfillment',
  'finance',
  'auditor',
  'org_admin',
  'buyer',
  'anonymous',
  'otherCustomer',
] as const;
export type Caller = (typeof CALLERS)[number];

/** Expected statuses in the order of CALLERS. */
export type Statuses = [number, number, number, number, number, number, number, number, number];

export interface MatrixRequest {
  /** The concrete path, ids filled in. */
  path: string;
  query?: Record<string, string | number>;
  body?: object;
  headers?: Record<string, string>;
  /** Send as this user instead of the caller's shared session (null: no credential). */
  as?: TestUser | null;
}

/** One endpoint: its method and path as documented, the expected status per caller, and how to build a valid request. */
export interface MatrixRow {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** As in the OpenAPI document: `/v1/users/{id}`. */
  path: string;
  statuses: Statuses;
  request: (world: MatrixWorld, caller: Caller) => MatrixRequest | Promise<MatrixRequest>;
}

export function endpoint(
  operation: `${MatrixRow['method']} ${string}`,
  statuses: Statuses,
  request: MatrixRow['request'] = (_world, _caller) => ({ path: operation.split(' ')[1] }),
): MatrixRow {
  const [method, path] = operation.split(' ') as [MatrixRow['method'], string];
  return { method, path, statuses, request };
}

const CALLER_ROLES: Record<Exclude<Caller, 'anonymous'>, Role[]> = {
  admin: ['admin'],
  catalog_manager: ['catalog_manager'],
  fulfillment: ['fulfillment'],
  finance: ['finance'],
  auditor: ['auditor'],
  org_admin: ['org_admin'],
  buyer: ['buyer'],
  otherCustomer: ['org_admin', 'buyer'],
};

/**
 * The people and things the matrix's requests act on: one signed-in user per
 * caller, the home organization of `org_admin` and `buyer`, and fixtures made
 * once on first use by the rows that need them.
 */
export class MatrixWorld {
  private readonly fixtures = new Map<string, Promise<unknown>>();

  private constructor(
    readonly testApp: TestApp,
    readonly homeOrganizationId: string,
    readonly otherOrganizationId: string,
    private readonly sessions: Record<Exclude<Caller, 'anonymous'>, TestUser>,
  ) {}

  static async create(testApp: TestApp): Promise<MatrixWorld> {
    const home = await createOrganization(testApp, 'Matrix Home');
    const other = await createOrganization(testApp, 'Matrix Other');
    const organizationOf = (caller: Caller) =>
      caller === 'otherCustomer' ? other.id : caller === 'org_admin' || caller === 'buyer' ? home.id : undefined;
    const sessions = {} as Record<Exclude<Caller, 'anonymous'>, TestUser>;
    sessions.admin = await adminSession(testApp);
    for (const caller of CALLERS) {
      if (caller === 'anonymous' || caller === 'admin') continue;
      sessions[caller] = await createUser(testApp, {
        roles: CALLER_ROLES[caller],
        organizationId: organizationOf(caller),
      });
    }
    return new MatrixWorld(testApp, home.id, other.id, sessions);
  }

  /** The caller's shared signed-in user; null for anonymous. */
  session(caller: Caller): TestUser | null {
    return caller === 'anonymous' ? null : this.sessions[caller];
  }

  /** A new signed-in user like the caller (same roles and organization), for requests that spend their credentials. */
  async fresh(caller: Caller): Promise<TestUser | null> {
    if (caller === 'anonymous') return null;
    const like = this.sessions[caller];
    return createUser(this.testApp, { roles: like.roles, organizationId: like.organizationId ?? undefined });
  }

  /** Made on first use, then shared by every request that asks for `key`. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.fixtures.has(key)) this.fixtures.set(key, make());
    return this.fixtures.get(key) as Promise<T>;
  }

  /** Every id a list endpoint shows `caller`, page by page, until `until` is among them (or `maxPages`). */
  async listIds(caller: Caller, path: string, until?: string, maxPages = 50): Promise<string[]> {
    const user = this.session(caller);
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      let call = this.testApp.http.get(path).query(cursor ? { limit: 100, cursor } : { limit: 100 });
      if (user) call = call.set(bearer(user));
      const response = await call.expect(200);
      const body = response.body as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...body.items.map((item) => item.id));
      if (!body.nextCursor || (until && ids.includes(until))) break;
      cursor = body.nextCursor;
    }
    return ids;
  }

  /** Sends `request` for `caller` and answers its status. */
  async send(row: MatrixRow, caller: Caller): Promise<{ status: number; body: unknown }> {
    const request = await row.request(this, caller);
    const user = request.as === undefined ? this.session(caller) : request.as;
    let call = this.testApp.http[row.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](request.path);
    if (user) call = call.set(bearer(user));
    if (request.headers) call = call.set(request.headers);
    if (request.query) call = call.query(request.query);
    const response = await (request.body === undefined ? call : call.send(request.body));
    return { status: response.status, body: response.body as unknown };
  }
}
