import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length } from 'class-validator';
import { NormalizedName } from '../../../core/text';

export class CreateApiKeyDto {
  @NormalizedName()
  @ApiProperty({ example: 'Warehouse scanner' })
  @IsString()
  @Length(1, 100)
  name: string;
  @ApiProperty({
    description: 'The role whose permissions the key has (system or this organization’s)',
  })
  @IsUUID()
  roleId: string;
}

export class ApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({
    example: 'alees_Ab3dE',
    description: 'The first characters, to recognise the key',
  })
  prefix: string;
  @ApiProperty() roleId: string;
  @ApiProperty({ type: String, nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() version: number;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The secret. Shown only in this response: store it now.' +
      ' Null only in an `Idempotency-Key` replay (the secret is never stored).',
  })
  key: string | null;
}
