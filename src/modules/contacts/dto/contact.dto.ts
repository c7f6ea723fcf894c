import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { AddressDto } from '../../addresses';
import { CONTACT_KINDS, ContactKind } from '../contact.entity';
import { NormalizedName, VisibleText } from '../../../core/text';
import { MAX_TAGS_PER_RECORD, TAG_NAME_RULE, TagNames } from '../../tags';
import { CUSTOM_FIELDS_OUTPUT_DOC, CustomFieldsInput } from '../../custom-fields';

class PrimaryFlag {
  @ApiPropertyOptional({ example: 'work', default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 50)
  label?: string;

  @ApiPropertyOptional({
    description: 'Exactly one per list is primary; when none is marked, the first one is',
  })
  @IsOptional()
  @IsBoolean()
  isPrimary?: boolean;
}

export class ContactEmailDto extends PrimaryFlag {
  @NormalizedName()
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @Length(3, 254)
  email: string;
}

export class ContactPhoneDto extends PrimaryFlag {
  @ApiProperty({ example: '+44 20 7946 0958' })
  @Matches(/^\+?[0-9][0-9 ().-]{2,31}$/, {
    message: 'number must be a phone number like +44 20 7946 0958',
  })
  number: string;
}

export class ContactAddressDto extends AddressDto {
  @ApiPropertyOptional({ example: 'billing', default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 50)
  label?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isPrimary?: boolean;
}

export class CreateContactDto {
  @ApiProperty({ enum: CONTACT_KINDS }) @IsIn(CONTACT_KINDS) kind: ContactKind;
  @VisibleText()
  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Length(1, 200)
  displayName: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  firstName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  lastName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  companyName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 50)
  taxNumber?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 10_000) notes?: string;

  @NormalizedName()
  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TAGS_PER_RECORD,
    example: ['supplier', 'eu'],
    description: `Tag names (the tags registry, /tags): replaces the contact's tags; names resolve ignoring case and Unicode form; an unknown name creates a tag with tags:create, else 422 \`unknown_tag\`; ${TAG_NAME_RULE}`,
  })
  @IsOptional()
  @TagNames()
  tags?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'A contact category' })
  @IsOptional()
  @IsUUID()
  categoryId?: string | null;

  @ApiPropertyOptional({ type: [ContactEmailDto], description: 'Replaces the list when given' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactEmailDto)
  emails?: ContactEmailDto[];

  @ApiPropertyOptional({ type: [ContactPhoneDto], description: 'Replaces the list when given' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactPhoneDto)
  phones?: ContactPhoneDto[];

  @ApiPropertyOptional({ type: [ContactAddressDto], description: 'Replaces the list when given' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactAddressDto)
  addresses?: ContactAddressDto[];

  @CustomFieldsInput()
  customFields?: Record<string, unknown>;
}

/** Every field optional; a list given replaces the stored list. */
export class UpdateContactDto extends PartialType(CreateContactDto) {}

class ContactEmailView {
  @ApiProperty() email: string;
  @ApiProperty() label: string;
  @ApiProperty() isPrimary: boolean;
}
class ContactPhoneView {
  @ApiProperty() number: string;
  @ApiProperty() label: string;
  @ApiProperty() isPrimary: boolean;
}
class ContactAddressView extends AddressDto {
  @ApiProperty() label: string;
  @ApiProperty() isPrimary: boolean;
}

export class ContactDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CONTACT_KINDS }) kind: ContactKind;
  @ApiProperty() displayName: string;
  @ApiProperty({ type: String, nullable: true }) firstName: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName: string | null;
  @ApiProperty({ type: String, nullable: true }) companyName: string | null;
  @ApiProperty({ type: String, nullable: true }) taxNumber: string | null;
  @ApiProperty() notes: string;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: String, nullable: true }) categoryId: string | null;
  @ApiProperty(CUSTOM_FIELDS_OUTPUT_DOC) customFields: Record<string, unknown>;
  @ApiProperty({ type: [ContactEmailView] }) emails: ContactEmailView[];
  @ApiProperty({ type: [ContactPhoneView] }) phones: ContactPhoneView[];
  @ApiProperty({ type: [ContactAddressView] }) addresses: ContactAddressView[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
