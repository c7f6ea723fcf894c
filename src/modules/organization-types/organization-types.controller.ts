import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { RequirePermissions } from '../../core/auth';

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

  @Get()
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'Organization types (company, branch, department, ...)' })
  @ApiOkResponse({ type: [OrganizationTypeDto] })
  list(): Promise<OrganizationTypeDto[]> {
    return this.dataSource.query<OrganizationTypeDto[]>(
      'SELECT code, name, description FROM organization_types ORDER BY code',
    );
  }
}
