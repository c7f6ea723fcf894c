export { RateLimit, RateLimitGuard, RouteRateLimit } from './rate-limit.guard';
