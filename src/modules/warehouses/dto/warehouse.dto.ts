import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AddressDto } from '../../addresses';
import { NormalizedName } from '../../../core/text';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const CODE_MESSAGE = 'code must be 1-32 letters, digits, _ . or -';

export class CreateWarehouseDto {
  @NormalizedName()
  @ApiProperty({ example: 'PAR-1' })
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;
  @NormalizedName()
  @ApiProperty({ example: 'Paris north' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto | null;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateWarehouseDto extends PartialType(CreateWarehouseDto) {}

export class WarehouseDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: AddressDto, nullable: true }) address: AddressDto | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class CreateStockLocationDto {
  @ApiProperty() @IsUUID() warehouseId: string;

  @ApiPropertyOptional({ description: 'A location of the same warehouse; omit for a top level' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @NormalizedName()
  @ApiProperty({ example: 'A-01-03' })
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;
  @NormalizedName()
  @ApiProperty({ example: 'Aisle A, rack 1, bin 3' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ default: false, description: 'Stock here may go below zero' })
  @IsOptional()
  @IsBoolean()
  allowNegative?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateStockLocationDto extends PartialType(
  OmitType(CreateStockLocationDto, ['warehouseId', 'parentId'] as const),
) {}

export class MoveStockLocationDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'New parent in the same warehouse; null = top level',
  })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId: string | null;
}

export class StockLocationDto {
  @ApiProperty() id: string;
  @ApiProperty() warehouseId: string;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty() path: string;
  @ApiProperty() depth: number;
  @ApiProperty() allowNegative: boolean;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
