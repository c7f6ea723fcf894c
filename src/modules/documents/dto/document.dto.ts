import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';
import { CUSTOM_FIELDS_OUTPUT_DOC, CustomFieldsInput } from '../../custom-fields';
import { MAX_TAGS_PER_RECORD, TAG_NAME_RULE, TagNames } from '../../tags';
import { DEFAULT_LOCK_MINUTES, MAX_LOCK_MINUTES } from '../document-lock';

const TAGS_DOC: ApiPropertyOptions = {
  type: [String],
  maxItems: MAX_TAGS_PER_RECORD,
  example: ['contract'],
  description: `Tag names (the tags registry, /tags): replaces the document's tags; an unknown name creates a tag with tags:create, else 422 \`unknown_tag\`; ${TAG_NAME_RULE}`,
};

/** The record a document hangs off (a registered target type and its id). */
export class DocumentTargetDto {
  @ApiProperty({
    example: 'product',
    description: 'A registered target type (product, contact, …); unknown → 404',
  })
  @IsString()
  @Matches(/^[a-z][a-z-]{0,49}$/)
  entityType: string;

  @ApiProperty({ description: 'A record of that type the caller may read; else 404' })
  @IsUUID()
  entityId: string;
}

export class CreateDocumentDto {
  @NormalizedName()
  @ApiProperty({ example: 'Supply contract', description: '1–200 characters' })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ description: 'A ready file of this organization: becomes version 1' })
  @IsUUID()
  fileId: string;

  @ApiPropertyOptional({ description: 'A category of type `document` of this organization' })
  @IsOptional()
  @IsUUID()
  documentTypeId?: string;

  @ApiPropertyOptional({
    example: 'draft',
    description:
      'An active status code of the statuses registry for documents; default: the default status for documents (draft)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/)
  status?: string;

  @ApiPropertyOptional({ description: 'A folder of this organization' })
  @IsOptional()
  @IsUUID()
  folderId?: string;

  @ApiPropertyOptional({ type: DocumentTargetDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DocumentTargetDto)
  target?: DocumentTargetDto;

  @ApiPropertyOptional(TAGS_DOC)
  @IsOptional()
  @TagNames()
  tags?: string[];

  @CustomFieldsInput()
  customFields?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Note of version 1, at most 1000 characters', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  changeNote?: string;
}

export class UpdateDocumentDto {
  @NormalizedName()
  @ApiPropertyOptional({ description: '1–200 characters' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A category of type `document`; null clears it',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  documentTypeId?: string | null;

  @ApiPropertyOptional({
    description: 'An active status code for documents (a change publishes document.status_changed)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/)
  status?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null: no folder' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  folderId?: string | null;

  @ApiPropertyOptional({ type: DocumentTargetDto, nullable: true, description: 'null unlinks' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @ValidateNested()
  @Type(() => DocumentTargetDto)
  target?: DocumentTargetDto | null;

  @ApiPropertyOptional(TAGS_DOC)
  @IsOptional()
  @TagNames()
  tags?: string[];

  @CustomFieldsInput()
  customFields?: Record<string, unknown>;
}

export class AddVersionDto {
  @ApiProperty({ description: 'A ready file of this organization' })
  @IsUUID()
  fileId: string;

  @ApiPropertyOptional({ description: 'At most 1000 characters', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  changeNote?: string;

  @ApiPropertyOptional({
    description:
      'The document currentVersion this upload is based on (else send If-Match with the document version); stale → 409 version_conflict',
    minimum: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expectedVersion?: number;
}

export class RestoreVersionDto {
  @ApiPropertyOptional({ description: 'At most 1000 characters; default "Restored version n"' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  changeNote?: string;
}

export class CheckoutDto {
  @ApiPropertyOptional({
    description: 'Lock length in minutes',
    default: DEFAULT_LOCK_MINUTES,
    minimum: 1,
    maximum: MAX_LOCK_MINUTES,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LOCK_MINUTES)
  minutes?: number;
}

export class CheckinDto {
  @ApiPropertyOptional({ description: 'A ready file of this organization: adds a version' })
  @IsOptional()
  @IsUUID()
  fileId?: string;

  @ApiPropertyOptional({ description: 'Note of the new version, at most 1000 characters' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  changeNote?: string;
}

export class CreateShareLinkDto {
  @ApiProperty({
    example: '2026-12-31T00:00:00Z',
    description: 'When the link stops working: in the future, at most 365 days ahead',
  })
  @IsDateString({ strict: true })
  expiresAt: string;
}

export class ContentQueryDto {
  @ApiPropertyOptional({ description: 'Version number; default: the current version', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

export class DocumentTargetRefDto {
  @ApiProperty() entityType: string;
  @ApiProperty() entityId: string;
}

export class DocumentLockDto {
  @ApiProperty() lockedBy: string;
  @ApiProperty() lockedAt: string;
  @ApiProperty() lockExpiresAt: string;
}

export class DocumentDto {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) documentTypeId: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ type: DocumentTargetRefDto, nullable: true }) target: DocumentTargetRefDto | null;
  @ApiProperty({ type: String, nullable: true }) folderId: string | null;
  @ApiProperty({ description: 'Number of the current version' }) currentVersion: number;
  @ApiProperty({ description: 'File of the current version' }) fileId: string;
  @ApiProperty({ type: Number, nullable: true }) size: number | null;
  @ApiProperty() contentType: string;
  @ApiProperty({ type: String, nullable: true }) sha256: string | null;
  @ApiProperty({
    type: DocumentLockDto,
    nullable: true,
    description: 'The check-out in force (null when none or expired)',
  })
  lock: DocumentLockDto | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty(CUSTOM_FIELDS_OUTPUT_DOC) customFields: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) createdBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ description: 'Row version for If-Match' }) version: number;
}

export class DocumentVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() number: number;
  @ApiProperty() fileId: string;
  @ApiProperty({ type: String, nullable: true }) sha256: string | null;
  @ApiProperty({ type: Number, nullable: true }) size: number | null;
  @ApiProperty() contentType: string;
  @ApiProperty() changeNote: string;
  @ApiProperty({ type: String, nullable: true }) createdBy: string | null;
  @ApiProperty() createdAt: string;
}

export class ShareLinkDto {
  @ApiProperty() id: string;
  @ApiProperty() documentId: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) createdBy: string | null;
  @ApiProperty() accessCount: number;
  @ApiProperty({ type: String, nullable: true }) lastAccessedAt: string | null;
  @ApiProperty() createdAt: string;
}

export class CreatedShareLinkDto extends ShareLinkDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The public URL; shown once, only its hash is kept. Null only in an `Idempotency-Key` replay.',
  })
  url: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The secret token; shown once, only its hash is kept. Null only in an `Idempotency-Key` replay.',
  })
  token: string | null;
}
