import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { RolesModule } from '../roles';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyRoleUsageRegistration } from './api-key-role-usage';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, RolesModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysRepository, ApiKeyRoleUsageRegistration],
})
export class ApiKeysModule {}
