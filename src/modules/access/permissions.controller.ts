import { Controller } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ReadRoute } from '../../core/http';
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
  @ReadRoute(
    'roles:read',
    'Every permission a role can grant (declared in code)',
    [PermissionDto],
    '',
  )
  list(): PermissionDto[] {
    return Object.entries(PERMISSIONS).map(([code, description]) => {
      const [resource, action] = code.split(':');
      return { code, resource, action, description };
    });
  }
}
