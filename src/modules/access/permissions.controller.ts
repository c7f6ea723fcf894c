import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../../core/auth';
import { PERMISSIONS } from './permissions.registry';

class PermissionDto {
  @ApiProperty({ example: 'users:read' }) code: string;
  @ApiProperty({ example: 'users' }) resource: string;
  @ApiProperty({ example: 'read' }) action: string;
  @ApiProperty() description: string;
}

@ApiTags('access')
@Controller('permissions')
export class PermissionsController {
  @Get()
  @RequirePermissions('roles:read')
  @ApiOperation({ summary: 'Every permission a role can grant (declared in code)' })
  @ApiOkResponse({ type: [PermissionDto] })
  list(): PermissionDto[] {
    return Object.entries(PERMISSIONS).map(([code, description]) => {
      const [resource, action] = code.split(':');
      return { code, resource, action, description };
    });
  }
}
