import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { PRODUCT_STATUSES, PRODUCT_TYPES, ProductStatus, ProductType } from '../product.entity';
import { PRODUCT_ACTIONS, type ProductAction } from '../product-rules';
import { CUSTOM_FIELDS_OUTPUT_DOC, CustomFieldsInput } from '../../custom-fields';
import { NormalizedName, VisibleText } from '../../../core/text';
import { MAX_TAGS_PER_RECORD, TAG_NAME_RULE, TagNames } from '../../tags';

const SKU = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;
/** Non-negative money with at most 4 decimals, as a string. */
export const MONEY = /^\d{1,15}(\.\d{1,4})?$/;

export class CreateProductDto {
  @NormalizedName()
  @ApiProperty({
    example: 'TEA-EARL-100',
    description: 'Unique per organization, case-insensitive',
  })
  @Matches(SKU, { message: 'sku must be 1-64 letters, digits, _ . / or -' })
  sku: string;

  @NormalizedName()
  @ApiProperty({ example: 'Earl Grey, 100 bags' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 10_000)
  description?: string;

  @ApiProperty({ enum: PRODUCT_TYPES }) @IsIn(PRODUCT_TYPES) type: ProductType;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '12.5000',
    description: 'Decimal string',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(MONEY, {
    message: 'price must be a non-negative decimal string with at most 4 decimals',
  })
  price?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'EUR',
    description: 'Required with a price',
  })
  @ValidateIf(
    (o: CreateProductDto) => (o.price !== undefined && o.price !== null) || o.currencyCode != null,
  )
  @Matches(/^[A-Z]{3}$/, {
    message: 'currencyCode must be an ISO 4217 code like EUR (required with a price)',
  })
  currencyCode?: string | null;

  @VisibleText()
  @ApiPropertyOptional({ default: 'pc', example: 'pc' })
  @IsOptional()
  @IsString()
  @Length(1, 16)
  uomCode?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'A product category' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  categoryId?: string | null;

  @NormalizedName()
  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TAGS_PER_RECORD,
    example: ['tea', 'organic'],
    description: `Tag names (the tags registry, /tags): replaces the product's tags; names resolve ignoring case and Unicode form; an unknown name creates a tag with tags:create, else 422 \`unknown_tag\`; ${TAG_NAME_RULE}`,
  })
  @IsOptional()
  @TagNames()
  tags?: string[];

  @CustomFieldsInput()
  customFields?: Record<string, unknown>;
}

export class UpdateProductDto extends PartialType(OmitType(CreateProductDto, ['type'] as const)) {
  @ApiPropertyOptional({
    enum: PRODUCT_STATUSES,
    description:
      'draft → active → discontinued (→ active) → end_of_life; else 422 invalid_transition',
  })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;
}

export class ProductDto {
  @ApiProperty() id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: PRODUCT_TYPES }) type: ProductType;
  @ApiProperty({ enum: PRODUCT_STATUSES }) status: ProductStatus;
  @ApiProperty({ type: String, nullable: true, example: '12.5000' }) price: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'EUR' }) currencyCode: string | null;
  @ApiProperty({ example: 'pc' }) uomCode: string;
  @ApiProperty({ type: String, nullable: true }) categoryId: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty(CUSTOM_FIELDS_OUTPUT_DOC) customFields: Record<string, unknown>;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

/** One lifecycle action a product offers now. */
export class ProductActionDto {
  @ApiProperty({ enum: PRODUCT_ACTIONS }) action: ProductAction;
  @ApiProperty({ enum: PRODUCT_STATUSES, description: 'The status it leads to' }) to: ProductStatus;
}

/** `GET /products/{id}/transitions`. */
export class ProductLifecycleDto {
  @ApiProperty({ enum: PRODUCT_STATUSES }) status: ProductStatus;
  @ApiProperty({ description: 'The product version (If-Match for the POST)' }) version: number;
  @ApiProperty({ type: [ProductActionDto], description: 'Empty when final (end_of_life)' })
  actions: ProductActionDto[];
}

/** `POST /products/{id}/transitions`. */
export class ProductTransitionDto {
  @ApiProperty({
    enum: PRODUCT_ACTIONS,
    description:
      'activate (draft|discontinued → active), discontinue (active → discontinued), retire (discontinued → end_of_life); not offered now → 422 `invalid_product_action`',
  })
  @IsIn(PRODUCT_ACTIONS)
  action: ProductAction;
}
