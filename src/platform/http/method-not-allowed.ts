import { MethodNotAllowedException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Router, { type HTTPMethod } from 'find-my-way';
import { pathOf } from './request-path';

/** Routes on every path (the CORS preflight's `OPTIONS *`): they say nothing about which paths exist. */
const isCatchAll = (url: string): boolean => url === '*' || url === '/*';

const noop = () => undefined;

/**
 * A request the router did not match, whose path a route of another method
 * does match, is a 405 problem with `Allow` listing those methods (HEAD
 * wherever GET is); a path no route has stays a 404. The routes are the
 * router's own, collected as they are registered into a second router that
 * is asked only for those unmatched requests, never on the way of any other.
 */
export function useMethodNotAllowed(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { routerOptions } = fastify.initialConfig;
  const routes = Router({
    ignoreTrailingSlash: routerOptions?.ignoreTrailingSlash,
    ignoreDuplicateSlashes: routerOptions?.ignoreDuplicateSlashes,
    caseSensitive: routerOptions?.caseSensitive,
    maxParamLength: routerOptions?.maxParamLength,
  });
  const methods = new Set<HTTPMethod>();

  fastify.addHook('onRoute', (route) => {
    if (isCatchAll(route.url)) return;
    for (const method of (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[]) {
      methods.add(method);
      if (!routes.hasRoute(method, route.url)) routes.on(method, route.url, noop);
    }
  });

  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = pathOf(request.url);
    const allowed = [...methods].filter((method) => routes.find(method, path) !== null).sort();
    if (allowed.length === 0) return done();
    void reply.header('allow', allowed.join(', '));
    done(new MethodNotAllowedException(`${request.method} is not supported on ${path}; use ${allowed.join(', ')}.`));
  });
}
