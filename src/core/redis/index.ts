export { RedisModule } from './redis.module';
export { RedisService, RedisPurpose, redisOptions } from './redis.service';
export { WakeUps } from './wake-ups';
