import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { CATEGORY_TYPES, CategoryType } from '../category.entity';
import { NormalizedName } from '../../../core/text';

export class CreateCategoryDto {
  @ApiProperty({ enum: CATEGORY_TYPES, description: 'What the tree classifies' })
  @IsIn(CATEGORY_TYPES)
  type: CategoryType;

  @NormalizedName()
  @ApiProperty({
    example: 'Beverages',
    description: 'Unique among its siblings (case-insensitive)',
  })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiPropertyOptional({ description: 'A category of the same type; omit for a root' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class UpdateCategoryDto {
  @NormalizedName() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 2000) description?: string;
}

export class MoveCategoryDto {
  @ApiProperty({ type: String, nullable: true, description: 'New parent; null moves to the root' })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId: string | null;
}

export class CategoryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CATEGORY_TYPES }) type: CategoryType;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
  @ApiProperty() path: string;
  @ApiProperty() depth: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
