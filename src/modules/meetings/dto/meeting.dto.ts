import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NormalizedName, VisibleText } from '../../../core/text';
import {
  MEETING_STATUSES,
  MeetingStatus,
  PARTICIPANT_ROLES,
  ParticipantRole,
  RSVP_RESPONSES,
  RsvpResponse,
  VIDEO_PROVIDERS,
  VideoProviderName,
} from '../meeting.entity';
import { DATE_TIME } from '../meeting-rules';

const TIME_NOTE =
  'ISO 8601 date-time. With an offset (`Z`, `+02:00`) it is that instant; without one it is the wall-clock time in `timezone` (DST applied; a time the DST jump skips → 422)';
const TIME_MESSAGE = {
  message: '$property must be an ISO 8601 date-time (YYYY-MM-DDTHH:mm[:ss][offset])',
};
const lowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** One invitee: a member of the organization (`userId`) or an external address (`email`). */
export class ParticipantInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A member of this organization (else 422 at this pointer); exclusive with email',
  })
  @ValidateIf((o: ParticipantInputDto) => o.email === undefined)
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({
    format: 'email',
    maxLength: 320,
    description: 'An external invitee (stored lower-case); exclusive with userId',
  })
  @ValidateIf((o: ParticipantInputDto) => o.userId === undefined)
  @Transform(lowerCase)
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class CreateMeetingDto {
  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Weekly review' })
  @IsString()
  @Length(1, 200)
  title: string;

  @VisibleText()
  @ApiPropertyOptional({ maxLength: 5000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiProperty({ description: TIME_NOTE, example: '2026-03-29T10:00', pattern: DATE_TIME.source })
  @IsString()
  @Matches(DATE_TIME, TIME_MESSAGE)
  startsAt: string;

  @ApiProperty({
    description: `${TIME_NOTE}. After startsAt, at most 24 hours later (else 422 /endsAt)`,
    example: '2026-03-29T11:00',
    pattern: DATE_TIME.source,
  })
  @IsString()
  @Matches(DATE_TIME, TIME_MESSAGE)
  endsAt: string;

  @ApiProperty({
    description: 'IANA time zone (`Europe/Paris`; fixed offsets and unknown zones → 422)',
    maxLength: 64,
    example: 'Europe/Paris',
  })
  @IsString()
  @MaxLength(64)
  timezone: string;

  @ApiPropertyOptional({
    enum: VIDEO_PROVIDERS,
    description:
      '`none`: the host supplies joinUrl; `jitsi`: a room on the configured Jitsi server. Default: `none` with a joinUrl, else the configured VIDEO_PROVIDER',
  })
  @IsOptional()
  @IsIn(VIDEO_PROVIDERS)
  provider?: VideoProviderName;

  @ApiPropertyOptional({
    maxLength: 2000,
    format: 'uri',
    description: 'Provider `none` only, and required then: an https URL (else 422 /joinUrl)',
    example: 'https://meet.example.com/weekly',
  })
  @IsOptional()
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    {
      message: 'joinUrl must be an https URL',
    },
  )
  @MaxLength(2000)
  joinUrl?: string;

  @ApiPropertyOptional({
    description: 'A registered entity type the meeting is about (`contact`, …); with targetId',
    example: 'contact',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,49}$/, { message: 'targetType must be an entity type' })
  targetType?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The record (readable by the caller, in this organization; else 404)',
  })
  @ValidateIf((o: CreateMeetingDto) => o.targetType !== undefined)
  @IsUUID()
  targetId?: string;

  @ApiPropertyOptional({
    type: [ParticipantInputDto],
    maxItems: 100,
    description: 'Invitees besides the host (who is always a participant, role host)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ParticipantInputDto)
  participants?: ParticipantInputDto[];
}

/** A reschedule (time, zone or link) bumps the iCalendar SEQUENCE and re-invites everyone. */
export class UpdateMeetingDto {
  @NormalizedName()
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @VisibleText()
  @ApiPropertyOptional({ maxLength: 5000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({ description: TIME_NOTE, pattern: DATE_TIME.source })
  @IsOptional()
  @IsString()
  @Matches(DATE_TIME, TIME_MESSAGE)
  startsAt?: string;

  @ApiPropertyOptional({ description: TIME_NOTE, pattern: DATE_TIME.source })
  @IsOptional()
  @IsString()
  @Matches(DATE_TIME, TIME_MESSAGE)
  endsAt?: string;

  @ApiPropertyOptional({ description: 'IANA time zone', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({
    maxLength: 2000,
    format: 'uri',
    description: 'Provider `none` only: an https URL (else 422 /joinUrl)',
    example: 'https://meet.example.com/weekly',
  })
  @IsOptional()
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    {
      message: 'joinUrl must be an https URL',
    },
  )
  @MaxLength(2000)
  joinUrl?: string;
}

export class AddParticipantsDto {
  @ApiProperty({ type: [ParticipantInputDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ParticipantInputDto)
  participants: ParticipantInputDto[];
}

export class RemoveParticipantDto {
  @ApiProperty({ format: 'uuid', description: 'The participant row to remove (not the host)' })
  @IsUUID()
  participantId: string;
}

export class RsvpDto {
  @ApiProperty({ enum: RSVP_RESPONSES.filter((r) => r !== 'needs_action') })
  @IsIn(['accepted', 'declined', 'tentative'])
  response: Exclude<RsvpResponse, 'needs_action'>;
}

export class ParticipantDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) userId: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'A member’s display name' })
  name: string | null;
  @ApiProperty({ enum: PARTICIPANT_ROLES }) role: ParticipantRole;
  @ApiProperty({ enum: RSVP_RESPONSES }) rsvp: RsvpResponse;
  @ApiProperty({ type: String, nullable: true }) joinedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) leftAt: string | null;
}

export class MeetingDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ description: 'UTC instant' }) startsAt: string;
  @ApiProperty({ description: 'UTC instant' }) endsAt: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ enum: MEETING_STATUSES }) status: MeetingStatus;
  @ApiProperty({ format: 'uuid' }) hostUserId: string;
  @ApiProperty({ type: String, nullable: true }) targetType: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) targetId: string | null;
  @ApiProperty({ enum: VIDEO_PROVIDERS }) provider: VideoProviderName;
  @ApiProperty({ type: String, nullable: true }) providerRoomId: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The host link (`none`); null for a reader who is neither host, participant nor holder of meetings:manage',
  })
  joinUrl: string | null;
  @ApiProperty({ description: 'iCalendar UID (stable)' }) icsUid: string;
  @ApiProperty({ description: 'iCalendar SEQUENCE (+1 per reschedule and on cancel)' })
  icsSequence: number;
  @ApiProperty({ type: [ParticipantDto] }) participants: ParticipantDto[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class JoinDto {
  @ApiProperty({ description: 'Where to join (Jitsi: the room with its token)' }) url: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Jitsi: an HS256 JWT for this user and room (never stored); `none`: null (the link is the access)',
  })
  token: string | null;
  @ApiProperty({ description: 'At most 2 hours from now, and no later than the end' })
  expiresAt: string;
}

export class CalendarFeedTokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Shown once: only its hash is stored' }) token: string;
  @ApiProperty({ description: 'The feed URL, token included' }) url: string;
  @ApiProperty() createdAt: string;
}

export class CalendarFeedQueryDto {
  @ApiProperty({ description: 'A calendar feed token (POST /me/calendar-feed-tokens)' })
  @IsString()
  @MaxLength(200)
  token: string;
}

export class WebhookResultDto {
  @ApiProperty({
    enum: ['processed', 'duplicate', 'ignored'],
    description: '`duplicate`: this event id was processed before; `ignored`: no such meeting',
  })
  result: 'processed' | 'duplicate' | 'ignored';
}
