import { Injectable, OnModuleInit } from '@nestjs/common';
import { RoleUsage } from '../roles';
import { ApiKeysRepository } from './api-keys.repository';

/**
 * Registers "does a live API key hold this role?" (`ApiKeysRepository.holdsRole`) with roles'
 * `RoleUsage`, so roles refuses to delete a role a key uses (409 `role_in_use`) without SQL on
 * `api_keys`. API side: roles are deleted only through `DELETE /roles/{id}`.
 */
@Injectable()
export class ApiKeyRoleUsageRegistration implements OnModuleInit {
  constructor(
    private readonly usage: RoleUsage,
    private readonly repository: ApiKeysRepository,
  ) {}

  onModuleInit(): void {
    this.usage.register({
      name: 'api-keys',
      uses: this.repository.holdsRole.bind(this.repository),
    });
  }
}
