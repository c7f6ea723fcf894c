import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { CONFLICT_MODES, ConflictMode, IMPORT_RESOURCES, ImportResource } from '../importer';

export class ImportQueryDto {
  @ApiProperty({ enum: IMPORT_RESOURCES }) @IsIn(IMPORT_RESOURCES) resource: ImportResource;

  @ApiPropertyOptional({
    enum: ['dry-run', 'commit'],
    default: 'dry-run',
    description: 'dry-run writes nothing',
  })
  @IsOptional()
  @IsIn(['dry-run', 'commit'])
  mode?: 'dry-run' | 'commit';

  @ApiPropertyOptional({
    enum: CONFLICT_MODES,
    default: 'fail',
    description:
      'When a row’s key (product sku, contact primary email) exists: skip it, update it, or report it',
  })
  @IsOptional()
  @IsIn(CONFLICT_MODES)
  onConflict?: ConflictMode;
}

export class ImportStartedDto {
  @ApiProperty({ description: 'Poll GET /api/v1/tasks/{taskId}' }) taskId: string;
  @ApiProperty({ description: 'The uploaded file, as stored' }) fileId: string;
}

export class CreateExportDto {
  @ApiProperty({ enum: IMPORT_RESOURCES }) @IsIn(IMPORT_RESOURCES) resource: ImportResource;

  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'xlsx'])
  format?: 'csv' | 'xlsx';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { status: 'active', q: 'tea' },
    description: 'The filters of the resource’s list route',
  })
  @IsOptional()
  @IsObject()
  filters?: Record<string, string>;
}
