import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ReadRoute } from '../../core/http';
import { DataSource } from 'typeorm';

class OrganizationTypeDto {
  @ApiProperty({ example: 'company' }) code: string;
  @ApiProperty({ example: 'Company' }) name: string;
  @ApiProperty() description: string;
}

/** Tenant-independent reference data, seeded (`organization-types.seeder.ts`). */
@ApiTags('organizations')
@Controller('organization-types')
export class OrganizationTypesController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @ReadRoute(
    'organizations:read',
    'Organization types (company, branch, department, ...)',
    [OrganizationTypeDto],
    '',
  )
  list(): Promise<OrganizationTypeDto[]> {
    return this.dataSource.query<OrganizationTypeDto[]>(
      'SELECT code, name, description FROM organization_types ORDER BY code',
    );
  }
}
