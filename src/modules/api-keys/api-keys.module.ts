import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { RolesModule } from '../roles';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, RolesModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysRepository],
})
export class ApiKeysModule {}
