import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/** A quantity > 0 with up to 6 decimals, as a string. */
export const QUANTITY = /^(?!0+(\.0+)?$)\d{1,14}(\.\d{1,6})?$/;

export class CreateStockMoveDto {
  @ApiProperty() @IsUUID() productId: string;

  @ApiPropertyOptional({ description: 'Where stock leaves (omit for a receipt)' })
  @IsOptional()
  @IsUUID()
  fromLocationId?: string;

  @ApiPropertyOptional({ description: 'Where stock arrives (omit for an issue)' })
  @IsOptional()
  @IsUUID()
  toLocationId?: string;

  @ApiProperty({ example: '5', description: 'Decimal string > 0, up to 6 decimals' })
  @Matches(QUANTITY, { message: 'quantity must be a decimal string greater than 0, e.g. "2.5"' })
  quantity: string;

  @ApiPropertyOptional({ example: 'PO-2026-0042', default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  reference?: string;

  @ApiPropertyOptional({ default: '' }) @IsOptional() @IsString() @Length(0, 2000) note?: string;

  @ApiPropertyOptional({ description: 'When it happened (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  movedAt?: string;
}

export class StockMoveDto {
  @ApiProperty() id: string;
  @ApiProperty() productId: string;
  @ApiProperty({ type: String, nullable: true }) fromLocationId: string | null;
  @ApiProperty({ type: String, nullable: true }) toLocationId: string | null;
  @ApiProperty({ example: '5' }) quantity: string;
  @ApiProperty() reference: string;
  @ApiProperty() note: string;
  @ApiProperty() movedAt: string;
  @ApiProperty({ type: String, nullable: true }) actorUserId: string | null;
  @ApiProperty({ type: String, nullable: true }) actorApiKeyId: string | null;
  @ApiProperty() createdAt: string;
}

export class StockLevelDto {
  @ApiProperty() productId: string;
  @ApiProperty() locationId: string;
  @ApiProperty() warehouseId: string;
  @ApiProperty({ example: '42.5', description: 'On hand (may be negative where allowed)' })
  quantity: string;
  @ApiProperty() updatedAt: string;
}

export class ReconcileStockDto {
  @ApiPropertyOptional({ description: 'Only this warehouse (default: all)' })
  @IsOptional()
  @IsUUID()
  warehouseId?: string;
}
