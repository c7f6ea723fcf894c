import { CanActivate, ExecutionContext, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/principal';
import { Clock } from '../clock';
import { AppConfig, RateLimitRule } from '../config';
import { RateLimitedError } from '../http/errors';
import { RedisService } from '../redis';

export const RATE_LIMIT_KEY = 'alees:rate-limit';

/** Counts a hit in a fixed window and (re)sets its expiry, atomically: KEYS[1] key, ARGV[1] ttl s. */
const CONSUME_SCRIPT = `local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n`;
export const SKIP_RATE_LIMIT_KEY = 'alees:skip-rate-limit';

export interface RouteRateLimit extends RateLimitRule {
  /** Names the bucket, e.g. `login`. */
  name: string;
  /** Extra key material from the request (e.g. the email being tried). */
  keyFrom?: (request: FastifyRequest) => string;
}

/** A stricter, route-specific limit on top of the global one (e.g. login: 10 / 15 min per IP+email). */
export const RateLimit = (rule: RouteRateLimit) => SetMetadata(RATE_LIMIT_KEY, rule);

/**
 * Exempts a route (or controller) from every rate limit: operators' probes and Prometheus scrapes
 * (`/healthz/*`, `/metrics`) are called constantly by machines and must never answer 429.
 */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator =>
  SetMetadata(SKIP_RATE_LIMIT_KEY, true);

/**
 * Fixed-window counters in Redis DB `REDIS_RATE_LIMIT_DB`, per user, API key or (anonymous) IP, so
 * every API instance shares them. Runs after authentication. When Redis is down it lets requests
 * through (availability over strictness) and says so in the log.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = principalOf(request);
    const global = principal ? this.config.rateLimit.user : this.config.rateLimit.anonymous;
    await this.consume(`all:${principal?.scopeKey ?? `ip:${request.ip}`}`, global);
    const route = this.reflector.get<RouteRateLimit | undefined>(
      RATE_LIMIT_KEY,
      context.getHandler(),
    );
    if (route) {
      const extra = route.keyFrom?.(request) ?? '';
      await this.consume(`${route.name}:ip:${request.ip}:${extra}`, route);
    }
    return true;
  }

  private async consume(bucket: string, rule: RateLimitRule): Promise<void> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const window = Math.floor(nowSeconds / rule.windowSeconds);
    const key = `erp:rl:${bucket}:${rule.windowSeconds}:${window}`;
    let hits: number;
    try {
      // One command (INCR + EXPIRE in a script): one Redis round trip, counted by the read budget.
      hits = (await this.redis
        .client('rateLimit')
        .eval(CONSUME_SCRIPT, 1, key, rule.windowSeconds + 1)) as number;
    } catch (error) {
      this.logger.warn(`rate limiting skipped (Redis unavailable): ${(error as Error).message}`);
      return;
    }
    if (hits > rule.limit) {
      throw new RateLimitedError((window + 1) * rule.windowSeconds - nowSeconds);
    }
  }
}
