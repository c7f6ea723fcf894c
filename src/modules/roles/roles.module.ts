import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { RolesController } from './roles.controller';
import { RolesRepository } from './roles.repository';
import { RolesService } from './roles.service';
import { RoleUsage } from './role-usage';

/** See README.md in this folder. Exports `RoleUsage` for the role holders to register with. */
@Module({
  imports: [AuditModule, AccessModule],
  controllers: [RolesController],
  providers: [RolesService, RolesRepository, RoleUsage],
  exports: [RolesService, RoleUsage],
})
export class RolesModule {}
