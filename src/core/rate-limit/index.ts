export { RateLimit, RateLimitGuard, RouteRateLimit, SkipRateLimit } from './rate-limit.guard';
