import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';

const EXAMPLE = { fr: { name: 'Clavier sans fil', description: 'Clavier Bluetooth, AZERTY' } };

export class PutContentTranslationsDto {
  @ApiProperty({
    description:
      'Every translation of the entity, by language then field; replaces what was there (a language left out is removed)',
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    example: EXAMPLE,
  })
  @IsObject()
  translations: Record<string, Record<string, string>>;
}

export class ContentTranslationsDto {
  @ApiProperty({ example: 'products' }) type: string;
  @ApiProperty() id: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    example: EXAMPLE,
  })
  translations: Record<string, Record<string, string>>;
  @ApiProperty({
    type: [String],
    example: ['name', 'description'],
    description: 'The fields of this type that can be translated',
  })
  fields: string[];
}
