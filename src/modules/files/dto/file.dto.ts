import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, IsUUID, Length, Matches, Min } from 'class-validator';

export const ATTACHABLE_TYPES = [
  'product',
  'contact',
  'warehouse',
  'stock-location',
  'category',
] as const;
export type AttachableType = (typeof ATTACHABLE_TYPES)[number];

export class FileDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'invoice-2026-04.pdf' }) originalName: string;
  @ApiProperty({ example: 'application/pdf', description: 'Checked against the content' })
  contentType: string;
  @ApiProperty({ type: Number, nullable: true }) size: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the bytes, hex' })
  checksumSha256: string | null;
  @ApiProperty({
    enum: ['pending', 'ready'],
    description: 'pending until a direct upload is confirmed',
  })
  status: 'pending' | 'ready';
  @ApiProperty({ type: String, nullable: true }) uploadedBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class UploadFileDto {
  @ApiProperty({ type: 'string', format: 'binary' }) file: unknown;
}

export class SignedUrlDto {
  @ApiProperty() url: string;
  @ApiProperty() expiresAt: string;
}

export class CreatePresignedUploadDto {
  @VisibleText() @ApiProperty({ example: 'scan.pdf' }) @IsString() @Length(1, 255) filename: string;

  @ApiProperty({
    example: 'application/pdf',
    description: 'Checked against the content on confirm',
  })
  @Matches(/^[a-z]+\/[a-z0-9.+-]+$/, {
    message: 'contentType must be a MIME type like application/pdf',
  })
  contentType: string;

  @ApiProperty({ example: 48213 }) @IsInt() @Min(1) size: number;
}

export class PresignedUploadTargetDto {
  @ApiProperty() url: string;
  @ApiProperty({ enum: ['PUT'] }) method: 'PUT';
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers: Record<
    string,
    string
  >;
}

export class PresignedUploadDto {
  @ApiProperty({ type: FileDto }) file: FileDto;
  @ApiProperty({
    type: PresignedUploadTargetDto,
    description: 'PUT the bytes here, then POST /files/{id}/confirm',
  })
  upload: PresignedUploadTargetDto;
  @ApiProperty() expiresAt: string;
}

export class CreateAttachmentDto {
  @ApiProperty() @IsUUID() fileId: string;
  @ApiProperty({ enum: ATTACHABLE_TYPES }) @IsIn(ATTACHABLE_TYPES) entityType: AttachableType;
  @ApiProperty() @IsUUID() entityId: string;
}

export class AttachmentDto {
  @ApiProperty() id: string;
  @ApiProperty() fileId: string;
  @ApiProperty({ enum: ATTACHABLE_TYPES }) entityType: AttachableType;
  @ApiProperty() entityId: string;
  @ApiPropertyOptional({ type: FileDto }) file: FileDto;
  @ApiProperty({ type: String, nullable: true }) createdBy: string | null;
  @ApiProperty() createdAt: string;
}
