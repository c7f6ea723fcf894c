import { OrganizationEntity } from './organization.entity';

export { OrganizationsModule, OrganizationsServiceModule } from './organizations.module';
export { OrganizationsService } from './organizations.service';
export { OrganizationDto } from './dto/organization.dto';
export { OrganizationEntity } from './organization.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const ORGANIZATIONS_ENTITIES = [OrganizationEntity];
