import type { Role } from './roles';

/**
 * The authenticated principal a request acts for: a user signed in with a
 * token, or a machine client with an API key acting for its user with a
 * subset of that user's roles. Services take it first (`placeOrder(actor, …)`).
 */
export interface Actor {
  type: 'user' | 'api_key';
  userId: string;
  organizationId: string | null;
  roles: Role[];
  /** Set when the request came with an API key. */
  apiKeyId?: string;
  /** Set when the request came with an access token: the session (login) it belongs to. */
  sessionId?: string;
}

/** Anonymous callers have no actor. */
export type Principal = Actor | null;
