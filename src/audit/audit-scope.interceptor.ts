import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { catchError, concatMap, from, map, type Observable, throwError } from 'rxjs';
import { AuditRecorder } from './audit-recorder';

/**
 * Around every handler: standalone events recorded while a transaction was
 * open (a denial inside a use case that then rolls back) are written once the
 * handler has finished, success or error, before the response leaves.
 */
@Injectable()
export class AuditScopeInterceptor implements NestInterceptor {
  constructor(
    private readonly recorder: AuditRecorder,
    private readonly cls: ClsService,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    if (!this.cls.isActive()) return next.handle();
    this.recorder.openRequestScope();
    return next.handle().pipe(
      concatMap((value) => from(this.recorder.flushRequestScope()).pipe(map(() => value))),
      catchError((error: unknown) =>
        from(this.recorder.flushRequestScope()).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }
}
