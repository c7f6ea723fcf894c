import { Module } from '@nestjs/common';
import { HttpEgress } from './http-egress';

/** Provides {@link HttpEgress} (AppConfig is global). */
@Module({ providers: [HttpEgress], exports: [HttpEgress] })
export class HttpEgressModule {}
