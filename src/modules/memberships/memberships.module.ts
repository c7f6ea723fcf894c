import { Module } from '@nestjs/common';

/** See README.md in this folder. */
@Module({})
export class MembershipsModule {}
