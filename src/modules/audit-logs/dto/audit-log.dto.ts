import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuditLogDto {
  @ApiProperty() id: string;
  @ApiProperty() seq: string;
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
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}

export class BrokenLinkDto {
  @ApiProperty() id: string;
  @ApiProperty() seq: string;
  @ApiProperty({ enum: ['hash_mismatch', 'chain_broken', 'sequence_gap'] }) reason: string;
}

export class ChainVerificationDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({ description: 'Rows verified before the first broken one (all, when valid)' })
  checked: number;
  @ApiPropertyOptional({ type: BrokenLinkDto }) firstBroken?: BrokenLinkDto;
}
