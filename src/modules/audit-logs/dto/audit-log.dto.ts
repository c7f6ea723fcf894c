import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuditLogDto {
  @ApiProperty() id: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Position in the hash chain; null until the sealer has chained the row (< 1 s)',
  })
  seq: string | null;
  @ApiProperty({ example: 'update' }) action: string;
  @ApiProperty({ example: 'organization' }) entityType: string;
  @ApiProperty({ type: String, nullable: true }) entityId: string | null;
  @ApiProperty({ type: String, nullable: true }) actorUserId: string | null;
  @ApiProperty({ type: String, nullable: true }) actorApiKeyId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { name: { from: 'Old', to: 'New' } },
  })
  changes: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null until sealed' })
  prevHash: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Null until sealed' })
  hash: string | null;
}

export class BrokenLinkDto {
  @ApiProperty() id: string;
  @ApiProperty() seq: string;
  @ApiProperty({ enum: ['hash_mismatch', 'chain_broken', 'sequence_gap'] }) reason: string;
}

export class UnsealedTailDto {
  @ApiProperty({ minimum: 0 }) count: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) oldestAt: string | null;
}

export class ChainVerificationDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({
    description: 'Sealed rows verified before the first broken one (all, when valid)',
  })
  checked: number;
  @ApiPropertyOptional({ type: BrokenLinkDto }) firstBroken?: BrokenLinkDto;
  @ApiProperty({
    type: UnsealedTailDto,
    description:
      'Rows not covered by the chain yet: written by transactions still running when verification ran',
  })
  unsealed: UnsealedTailDto;
}
