import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { NormalizedName } from '../../../core/text';

export class CreateFolderDto {
  @NormalizedName()
  @ApiProperty({
    example: 'Contracts',
    description: 'Unique among its siblings (ignoring case), 1–100 characters',
  })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ description: 'A folder of this organization; omit for a root' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class UpdateFolderDto {
  @NormalizedName()
  @ApiPropertyOptional({ description: 'Unique among its siblings (ignoring case)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class MoveFolderDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'New parent folder; null moves to the root; never under itself (422 tree_cycle)',
  })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId: string | null;
}

export class FolderDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
  @ApiProperty({ description: 'Materialised path: /<root id>/…/<own id>/' }) path: string;
  @ApiProperty() depth: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
