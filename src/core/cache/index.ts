export { CacheModule } from './cache.module';
export { CacheService } from './cache.service';
