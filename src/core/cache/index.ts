export { CacheModule } from './cache.module';
export { CacheService } from './cache.service';
export {
  LOCAL_CACHE_MAX_TTL_MS,
  LocalCache,
  PRINCIPALS_CACHE,
  publishLocalCacheInvalidation,
} from './local-cache';
