import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/**
 * Adds `value` under `key` to the Fastify route config of a handler, beside
 * what other decorators put there (Nest's `RouteConfig` replaces the whole
 * config). A hook added in `onRoute` reads it to give the route hooks of its own.
 */
export function RouteConfigEntry(key: string, value: unknown): MethodDecorator {
  return (_target, _method, descriptor) => {
    const handler = descriptor.value as object;
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [key]: value }, handler);
  };
}

/** What `RouteConfigEntry(key, …)` put on the route being registered. */
export function routeConfigEntry<T>(route: RouteOptions, key: string): T | undefined {
  return (route.config as Record<string, T | undefined> | undefined)?.[key];
}

/** A `preSerialization` or `onSend` hook: it may change the payload on its way out. */
export type PayloadHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: Error | null, payload?: unknown) => void,
) => void;

/** Adds a payload hook of one route, after those it has: called from `onRoute`, before the route exists. */
export function addRouteHook(route: RouteOptions, name: 'preSerialization' | 'onSend', hook: PayloadHook): void {
  const hooks = route[name] as PayloadHook | PayloadHook[] | undefined;
  const all = [...(hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]), hook];
  route[name] = all;
}
