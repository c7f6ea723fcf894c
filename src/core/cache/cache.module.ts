import { Global, Module } from '@nestjs/common';
import { CacheService } from './cache.service';
import { LocalCache } from './local-cache';

@Global()
@Module({ providers: [LocalCache, CacheService], exports: [LocalCache, CacheService] })
export class CacheModule {}
