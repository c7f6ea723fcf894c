import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { OrganizationTypeRow, OrganizationTypesRepository } from './organization-types.repository';

/**
 * Organization types: global reference data (company, branch, ...), read-only through the API.
 * Global rows belong to no organization, so reads run as `runAsSystem('reference-data', …)`.
 */
@Injectable()
export class OrganizationTypesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: OrganizationTypesRepository,
  ) {}

  /** Every type (`code`, `name`, `description`), by code. */
  list(): Promise<OrganizationTypeRow[]> {
    return this.db.runAsSystem('reference-data', (manager) => this.repository.list(manager));
  }

  /**
   * Whether `code` is a known organization type (for organizations). With `manager` (the caller's
   * transaction) it reads there; without, in its own system transaction.
   */
  exists(code: string, manager?: EntityManager): Promise<boolean> {
    if (manager) return this.repository.exists(manager, code);
    return this.db.runAsSystem('reference-data', (m) => this.repository.exists(m, code));
  }
}
