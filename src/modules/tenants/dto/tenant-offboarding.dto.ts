import { VisibleText } from '../../../core/text';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** `DELETE /tenants/{id}?confirm=<code>`: the tenant's code, typed again, so no id slip deletes a tenant. */
export class DeleteTenantQueryDto {
  @VisibleText()
  @ApiProperty({
    description:
      'The root organization’s code, exactly as stored (a guard against deleting by a wrong id)',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @Length(1, 64)
  confirm: string;
}

/** The result of the `tenant.export` task (`GET /tasks/{taskId}` → `result`). */
export class TenantExportResultDto {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({
    format: 'uuid',
    description:
      'The ZIP archive (one CSV per table + manifest.json), stored in the tenant’s own files: ' +
      'GET /api/v1/files/{fileId}/content with X-Organization-Id set to the tenant. It is deleted with the tenant.',
  })
  fileId: string;
  @ApiProperty({ description: 'Organizations exported (the root and its descendants)' })
  organizations: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Rows written per table',
  })
  tables: Record<string, number>;
}
