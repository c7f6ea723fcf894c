import { Controller } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ReadRoute } from '../../core/http';
import { OrganizationTypesService } from './organization-types.service';

class OrganizationTypeDto {
  @ApiProperty({ example: 'company' }) code: string;
  @ApiProperty({ example: 'Company' }) name: string;
  @ApiProperty() description: string;
}

/** Tenant-independent reference data, seeded (`organization-types.seeder.ts`). */
@ApiTags('organizations')
@Controller('organization-types')
export class OrganizationTypesController {
  constructor(private readonly types: OrganizationTypesService) {}

  @ReadRoute(
    'organizations:read',
    'Organization types (company, branch, department, ...)',
    [OrganizationTypeDto],
    '',
  )
  list(): Promise<OrganizationTypeDto[]> {
    return this.types.list();
  }
}
