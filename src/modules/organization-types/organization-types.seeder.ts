import type { DataSource } from 'typeorm';
import type { Seeder } from '../../core/database';
import { OrganizationTypesRepository } from './organization-types.repository';

export const ORGANIZATION_TYPES = [
  { code: 'company', name: 'Company', description: 'A legal entity' },
  { code: 'branch', name: 'Branch', description: 'A location of a company' },
  { code: 'division', name: 'Division', description: 'A business line' },
  { code: 'department', name: 'Department', description: 'A functional unit' },
  { code: 'team', name: 'Team', description: 'A working group' },
];

/** Reference data shared by all tenants; existing rows keep their edits. */
export const organizationTypesSeeder: Seeder = {
  name: 'organization types',
  async run(dataSource: DataSource) {
    await new OrganizationTypesRepository().insertMissing(dataSource.manager, ORGANIZATION_TYPES);
    return `${ORGANIZATION_TYPES.length} types`;
  },
};
