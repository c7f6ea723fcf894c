// Public surface of the organization-types module.
import { OrganizationTypeEntity } from './organization-type.entity';

export {
  OrganizationTypesModule,
  OrganizationTypesServiceModule,
} from './organization-types.module';
export { OrganizationTypesService } from './organization-types.service';
export { OrganizationTypeEntity } from './organization-type.entity';
export { ORGANIZATION_TYPES, organizationTypesSeeder } from './organization-types.seeder';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const ORGANIZATION_TYPES_ENTITIES = [OrganizationTypeEntity];
