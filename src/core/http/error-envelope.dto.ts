import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorSourceDto {
  @ApiPropertyOptional({ example: '/email', description: 'JSON pointer into the request body' })
  pointer?: string;
  @ApiPropertyOptional({ example: 'sort', description: 'Query or path parameter' })
  parameter?: string;
  @ApiPropertyOptional({ example: 'If-Match' })
  header?: string;
}

export class ErrorObjectDto {
  @ApiProperty({ example: '422', description: 'HTTP status as a string' })
  status: string;
  @ApiProperty({ example: 'validation_error', description: 'Stable machine-readable code' })
  code: string;
  @ApiProperty({ example: 'email must be an email' })
  detail: string;
  @ApiPropertyOptional({ type: ErrorSourceDto })
  source?: ErrorSourceDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  meta?: Record<string, unknown>;
}

/** Every non-2xx answer has this shape (SPEC §4). */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: [ErrorObjectDto] })
  errors: ErrorObjectDto[];
}
