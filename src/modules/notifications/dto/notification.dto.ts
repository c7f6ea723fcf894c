import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import {
  EMAIL_MODES,
  EmailMode,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_LEVELS,
  NOTIFICATION_TYPE_CODES,
  NotificationChannel,
  NotificationLevel,
} from '../notification-types';

/** The record a notification is about. */
export class NotificationTargetDto {
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty() entityId: string;
}

/** One notification of the caller (SPEC-P3 §4). */
export class NotificationDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: NOTIFICATION_TYPE_CODES, example: 'comment.mention' }) type: string;
  @ApiProperty({ enum: NOTIFICATION_LEVELS }) level: NotificationLevel;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) body: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Who caused it (null: the system)' })
  actorUserId: string | null;
  @ApiProperty({ type: NotificationTargetDto, nullable: true })
  target: NotificationTargetDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Relative API path of the record, e.g. /api/v1/products/<id>',
  })
  actionPath: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) readAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** The caller's unread count in the active organization (maintained, not counted). */
export class UnreadCountDto {
  @ApiProperty({ minimum: 0 }) unread: number;
}

export class ReadAllDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Mark only notifications created at or before this instant (default: now)',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  before?: string;
}

export class ReadAllResultDto {
  @ApiProperty({ description: 'How many notifications became read' }) marked: number;
  @ApiProperty({ minimum: 0 }) unread: number;
}

/** One preference: a type (or `*` for every mutable type) on one channel. */
export class NotificationPreferenceDto {
  @ApiProperty({ enum: ['*', ...NOTIFICATION_TYPE_CODES], example: 'comment.new' })
  @IsIn(['*', ...NOTIFICATION_TYPE_CODES])
  type: string;

  @ApiProperty({ enum: NOTIFICATION_CHANNELS })
  @IsIn(NOTIFICATION_CHANNELS)
  channel: NotificationChannel;

  @ApiProperty({ description: 'false mutes the channel for this type' })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({
    enum: EMAIL_MODES,
    nullable: true,
    description:
      'email channel only (422 `email_mode_needs_email_channel` otherwise): immediate (several on one record within 5 minutes make one e-mail), digest_daily (one e-mail a day), off',
  })
  @IsOptional()
  @IsIn(EMAIL_MODES)
  emailMode?: EmailMode | null;
}

export class PutNotificationPreferencesDto {
  @ApiProperty({
    type: [NotificationPreferenceDto],
    maxItems: 40,
    description:
      'Replaces all your preferences in this organization. Each (type, channel) once (422 `duplicate_preference`); a type that cannot be muted (security.notice) → 422 `notification_type_not_mutable`.',
  })
  @IsArray()
  @ArrayMaxSize(40)
  @ValidateNested({ each: true })
  @Type(() => NotificationPreferenceDto)
  preferences: NotificationPreferenceDto[];
}

/** One registered type and its defaults. */
export class NotificationTypeInfoDto {
  @ApiProperty({ enum: NOTIFICATION_TYPE_CODES }) type: string;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'false: preferences cannot change it' }) mutable: boolean;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS, isArray: true }) defaultChannels: string[];
  @ApiProperty({ enum: EMAIL_MODES }) defaultEmailMode: EmailMode;
}

export class NotificationPreferencesDto {
  @ApiProperty({ type: [NotificationPreferenceDto] }) preferences: NotificationPreferenceDto[];
  @ApiProperty({ type: [NotificationTypeInfoDto] }) types: NotificationTypeInfoDto[];
}

export class BroadcastDto {
  @VisibleText()
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Inventory count on Friday' })
  @IsString()
  @Length(1, 200)
  title: string;

  @VisibleText()
  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  body?: string;

  @ApiPropertyOptional({ enum: NOTIFICATION_LEVELS, default: 'info' })
  @IsOptional()
  @IsIn(NOTIFICATION_LEVELS)
  level?: NotificationLevel;

  @ApiPropertyOptional({
    description:
      'Only members holding this role of the organization (422 `invalid_role` otherwise); default: every active member',
  })
  @IsOptional()
  @IsUUID()
  roleId?: string;
}

export class BroadcastResultDto {
  @ApiProperty({ description: 'Notifications written (active members, never you)' })
  created: number;
}
