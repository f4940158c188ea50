import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../errors/rate-limited.error';

/**
 * The throttler's guard, answering as draft-ietf-httpapi-ratelimit-headers-11
 * says. Each policy (named throttler) in force on the route is one budget per
 * client IP, whatever the route: its counter's key is the policy and the
 * client, nothing else. Each is announced in `RateLimit-Policy`
 * (`"default";q=600;w=60`) and its state in `RateLimit` (`"default";r=42;t=17`:
 * requests left, seconds until the window ends), one list member per policy.
 * Every policy counts the request before any refusal, so that a 429 can say in
 * `Retry-After` how long the longest block in force really lasts.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await super.canActivate(context)) return true;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    throw new RateLimitedError(Number(reply.getHeader(RETRY_AFTER)));
  }

  /** Counts the hit and writes the fields; false when this policy refuses it (canActivate then throws). */
  protected override async handleRequest({
    context,
    limit,
    ttl,
    throttler,
    blockDuration,
    getTracker,
    generateKey,
  }: ThrottlerRequest): Promise<boolean> {
    const http = context.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    // onModuleInit names every throttler ('default' when unnamed).
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(http.getRequest<FastifyRequest>(), context), name);
    const hit = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    appendListMember(reply, 'ratelimit-policy', `"${name}";q=${limit};w=${Math.ceil(ttl / 1000)}`);
    if (!hit.isBlocked) {
      appendListMember(reply, 'ratelimit', `"${name}";r=${Math.max(0, limit - hit.totalHits)};t=${hit.timeToExpire}`);
      return true;
    }
    appendListMember(reply, 'ratelimit', `"${name}";r=0;t=${hit.timeToBlockExpire}`);
    const longest = Math.max(hit.timeToBlockExpire, Number(reply.getHeader(RETRY_AFTER) ?? 0));
    void reply.header(RETRY_AFTER, String(longest));
    return false;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}

const RETRY_AFTER = 'retry-after';

/** Adds a member to a structured-field list header (RFC 9651 §3.1: members joined by ", "). */
function appendListMember(reply: FastifyReply, field: string, member: string): void {
  const current = reply.getHeader(field);
  void reply.header(field, current === undefined ? member : `${String(current)}, ${member}`);
}
