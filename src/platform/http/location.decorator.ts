import { applyDecorators, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentedAnswer } from './documented-answer';
import { addRouteHook, type PayloadHook, RouteConfigEntry, routeConfigEntry } from './route-hooks';

/** The Fastify route config key holding where a created resource lives. */
const LOCATION_OF = 'locationOf';

type LocationOf = (created: unknown) => string;

/**
 * On a POST that creates: answers 201 with `Location`, the URL path of what
 * it created, from the created resource as returned (`(order) =>
 * `/v1/orders/${order.id}``), and documents the 201 with its body and header.
 * Replays of an idempotent creation carry it too.
 */
export function Creates<T>(type: Type<T>, locationOf: (created: T) => string) {
  return applyDecorators(
    RouteConfigEntry(LOCATION_OF, locationOf),
    DocumentedAnswer(201, type, 'Created.', 'Location'),
  );
}

/** Gives the routes marked `@Creates()` the hook that sets `Location`, as a route hook: no other route runs it. */
export function useLocations(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const locationOf = routeConfigEntry<LocationOf>(route, LOCATION_OF);
      if (!locationOf) return;
      const sendLocation: PayloadHook = (_request, reply, payload, done) => {
        if (reply.statusCode === 201) void reply.header('location', locationOf(payload));
        done(null, payload);
      };
      addRouteHook(route, 'preSerialization', sendLocation);
    });
}
