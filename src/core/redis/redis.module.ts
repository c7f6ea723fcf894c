import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';
import { WakeUps } from './wake-ups';

@Global()
@Module({ providers: [RedisService, WakeUps], exports: [RedisService, WakeUps] })
export class RedisModule {}
