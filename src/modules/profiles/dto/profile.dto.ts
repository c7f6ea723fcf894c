import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsPhoneNumber,
  IsString,
  IsTimeZone,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidationArguments,
} from 'class-validator';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HH_MM_END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** E.164: `+`, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` that names a day of the calendar (not 2024-02-30). */
@ValidatorConstraint({ name: 'realDate' })
class RealDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !DATE.test(value)) return true; // the pattern reports it
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} is not a day of the calendar`;
  }
}

/** `end` is later than `start` on the same day (both `HH:MM`; `24:00` ends a day). */
@ValidatorConstraint({ name: 'intervalOrder' })
class IntervalOrder implements ValidatorConstraintInterface {
  validate(end: unknown, args: ValidationArguments): boolean {
    const start = (args.object as WorkingIntervalDto).start;
    return typeof end !== 'string' || typeof start !== 'string' || end > start;
  }
  defaultMessage(): string {
    return 'end must be later than start';
  }
}

/** One working interval of a weekday, local time of the profile's `timeZone`. */
export class WorkingIntervalDto {
  @ApiProperty({ example: '09:00', pattern: HH_MM.source })
  @Matches(HH_MM, { message: 'start must be a time HH:MM (00:00-23:59)' })
  start: string;

  @ApiProperty({
    example: '17:30',
    pattern: HH_MM_END.source,
    description: 'Later than start; 24:00 ends the day',
  })
  @Matches(HH_MM_END, { message: 'end must be a time HH:MM (00:01-24:00)' })
  @Validate(IntervalOrder)
  end: string;
}

/** A day's intervals do not overlap (touching, like 12:00–12:00, is fine). */
@ValidatorConstraint({ name: 'intervalsDisjoint' })
class IntervalsDisjoint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (!Array.isArray(value)) return true;
    const intervals = (value as Partial<WorkingIntervalDto>[])
      .filter((i) => typeof i?.start === 'string' && typeof i?.end === 'string')
      .map((i) => ({ start: i.start!, end: i.end! }))
      .sort((a, b) => a.start.localeCompare(b.start));
    return intervals.every((interval, n) => n === 0 || interval.start >= intervals[n - 1].end);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} has overlapping intervals`;
  }
}

const DAY = () =>
  function decorate(target: object, key: string): void {
    ApiPropertyOptional({ type: [WorkingIntervalDto], maxItems: 4 })(target, key);
    IsOptional()(target, key);
    IsArray()(target, key);
    ArrayMaxSize(4)(target, key);
    Validate(IntervalsDisjoint)(target, key);
    ValidateNested({ each: true })(target, key);
    Type(() => WorkingIntervalDto)(target, key);
  };

/** Working intervals per weekday (at most 4 a day, not overlapping); a missing day is a day off. */
export class WeekDto {
  @DAY() mon?: WorkingIntervalDto[];
  @DAY() tue?: WorkingIntervalDto[];
  @DAY() wed?: WorkingIntervalDto[];
  @DAY() thu?: WorkingIntervalDto[];
  @DAY() fri?: WorkingIntervalDto[];
  @DAY() sat?: WorkingIntervalDto[];
  @DAY() sun?: WorkingIntervalDto[];
}

/** When a person works: an IANA time zone and the weekly intervals in it. */
export class WorkingHoursDto {
  @ApiProperty({ example: 'Europe/Paris', description: 'IANA time zone name' })
  @IsTimeZone()
  timeZone: string;

  @ApiProperty({ type: WeekDto })
  @ValidateNested()
  @Type(() => WeekDto)
  days: WeekDto;
}

/**
 * `PATCH /me/profile`: every field optional; `null` clears it. Sent fields are validated as stated
 * (422 `validation_error` per field); `delegateUserId` must be an active account sharing an
 * organization with the caller and not the caller (422 `invalid_delegate`).
 */
export class UpdateMyProfileDto {
  @VisibleText()
  @ApiPropertyOptional({ nullable: true, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  jobTitle?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+33142685300',
    pattern: E164.source,
    description: 'E.164 and a valid number for its country (libphonenumber)',
  })
  @IsOptional()
  @Matches(E164, { message: 'phone must be an E.164 number such as +33142685300' })
  @IsPhoneNumber(undefined, { message: 'phone must be a valid phone number' })
  phone?: string | null;

  @ApiPropertyOptional({ type: WorkingHoursDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkingHoursDto)
  workingHours?: WorkingHoursDto | null;

  @ApiPropertyOptional({ nullable: true, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  outOfOfficeUntil?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    format: 'uuid',
    description: 'An active user sharing an organization with you, not yourself',
  })
  @IsOptional()
  @IsUUID()
  delegateUserId?: string | null;
}

/** A profile picture: a ready image of at most 5 MB stored by the files module. */
export class AvatarDto {
  @ApiProperty({ format: 'uuid' }) fileId: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The organization whose files hold it (downloadable there)',
  })
  organizationId: string;
}

/** The person-level profile (every organization sees the same). */
export class UserProfileDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ nullable: true, type: String }) jobTitle: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ nullable: true, type: AvatarDto }) avatar: AvatarDto | null;
  @ApiProperty({ nullable: true, type: WorkingHoursDto }) workingHours: WorkingHoursDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  outOfOfficeUntil: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) delegateUserId: string | null;
  @ApiProperty() version: number;
}

/** `PUT /me/avatar` multipart body. */
export class UploadAvatarDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'PNG, JPEG, GIF or WebP (checked on its bytes), at most 5 MB',
  })
  file: unknown;
}

/**
 * `PATCH /members/{userId}/profile`: what the organization keeps about a member; `null` clears a
 * field. `managerUserId` must be an active member, not the member, and not below them (no cycle).
 */
export class UpdateMemberProfileDto {
  @VisibleText()
  @ApiPropertyOptional({ nullable: true, maxLength: 50, description: 'Unique per organization' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  employeeId?: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'uuid' })
  @IsOptional()
  @IsUUID()
  managerUserId?: string | null;

  @VisibleText()
  @ApiPropertyOptional({ nullable: true, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  department?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date', example: '2024-01-15' })
  @IsOptional()
  @Matches(DATE, { message: 'employmentStart must be a date like 2024-01-15' })
  @Validate(RealDate)
  employmentStart?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date',
    description: 'On or after employmentStart',
  })
  @IsOptional()
  @Matches(DATE, { message: 'employmentEnd must be a date like 2024-12-31' })
  @Validate(RealDate)
  employmentEnd?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    maxLength: 2000,
    description: 'Private: read with profiles:read-private',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  privateNotes?: string | null;
}

/** What the organization keeps about a member; `privateNotes` only with `profiles:read-private`. */
export class MemberProfileDto {
  @ApiProperty({ nullable: true, type: String }) employeeId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) managerUserId: string | null;
  @ApiProperty({ nullable: true, type: String }) department: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) employmentStart: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) employmentEnd: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Present only with profiles:read-private',
  })
  privateNotes?: string | null;
  @ApiProperty() version: number;
}

/** `GET /users/{id}/profile`: a person sharing an organization with the caller. */
export class PersonProfileDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() fullName: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: UserProfileDto }) profile: UserProfileDto;
  @ApiProperty({
    type: MemberProfileDto,
    nullable: true,
    description: "The active organization's record of them; null when they are not a member",
  })
  member: MemberProfileDto | null;
}

/** One entry of the member directory (`GET /members`). */
export class DirectoryEntryDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() fullName: string;
  @ApiProperty({ description: 'Work email (members of one organization see each other’s)' })
  email: string;
  @ApiProperty({ nullable: true, type: String }) jobTitle: string | null;
  @ApiProperty({ nullable: true, type: AvatarDto }) avatar: AvatarDto | null;
}
