import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditRecorder } from './audit-recorder';

/**
 * Around every request: standalone events recorded while a transaction was
 * open (a denial inside a use case that then rolls back) are written once the
 * handler has finished, success or error, before the response leaves (the
 * error's problem response included: Nest's exception filter sends it).
 *
 * Fastify hooks rather than a global Nest interceptor: with any interceptor on
 * a route, Nest runs each of its requests through its RxJS pipeline (deferred
 * observables, a client-disconnect watcher, lastValueFrom), some 50 µs of CPU
 * per request — on every route, for a queue that is almost always empty. The
 * hooks run in the request's context, like the handler between them: the
 * scope opens just before the guards, and is written from onSend.
 */
export function useRequestAuditScope(app: NestFastifyApplication): void {
  const recorder = app.get(AuditRecorder);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preHandler', (_request, _reply, done) => {
    recorder.openRequestScope();
    done();
  });
  fastify.addHook('onSend', (_request, _reply, payload, done) => {
    if (!recorder.hasDeferredEvents()) return done(null, payload);
    recorder.flushRequestScope().then(
      () => done(null, payload),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
