import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { NormalizedName, VisibleText } from '../../../core/text';
import { DELIVERY_STATUSES, SUBSCRIPTION_STATUSES } from '../webhook.entity';

/** The shape only; the SSRF policy (HttpEgress.check) parses and judges the URL itself. */
const URL_SHAPE = /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/i;
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,49}\.(\*|[a-z][a-z0-9_]{0,49})$/;
const URL_RULE =
  'An absolute http(s) URL (https only in production), at most 2048 characters, without user name or password. Its host must resolve to public addresses only (422 `webhook_url_not_allowed` for private, loopback, link-local, CGNAT, metadata… addresses unless allow-listed by WEBHOOK_ALLOWED_PRIVATE_HOSTS); checked again at every delivery';
const EVENT_TYPES_RULE =
  '1-50 distinct event types: `<resource>.<verb>` (e.g. `product.created`) or `<resource>.*`, for a resource that publishes events (422 `unknown_event_type` otherwise; see the module README)';

/** An outbound webhook subscription (never its secret). */
export class WebhookSubscriptionDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty() url: string;
  @ApiProperty({ type: [String], example: ['product.created', 'contact.*'] }) eventTypes: string[];
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES }) status: string;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['manual', 'gone', 'failures'],
    description:
      'Why it is paused: by a person, by the receiver answering 410 Gone, or after too many failed deliveries in a row',
  })
  pausedReason: string | null;
  @ApiProperty({ description: 'Deliveries failed for good in a row (reset by a success)' })
  consecutiveFailures: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty() version: number;
}

/** The subscription with its signing secret: answered only by creation and rotation. */
export class WebhookSubscriptionWithSecretDto extends WebhookSubscriptionDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The signing secret (`whsec_…`). Shown only now: it is stored encrypted and never returned again. Verify `X-Alees-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.' +
      ' Null only in an `Idempotency-Key` replay (the secret is never stored).',
  })
  secret: string | null;
}

/** Subscribe a URL to event types; the server generates the secret (none is accepted). */
export class CreateWebhookSubscriptionDto {
  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    maxLength: 2048,
    description: URL_RULE,
    example: 'https://hooks.example.com/alees',
  })
  @IsString()
  @MaxLength(2048)
  @Matches(URL_SHAPE, { message: 'url must be an absolute http(s) URL' })
  url: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 50,
    description: EVENT_TYPES_RULE,
    example: ['product.created', 'contact.*'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(EVENT_TYPE, {
    each: true,
    message: 'each event type must be <resource>.<verb> or <resource>.*',
  })
  eventTypes: string[];

  @VisibleText()
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({
    enum: SUBSCRIPTION_STATUSES,
    default: 'active',
    description: 'Create it paused to test the URL later',
  })
  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  status?: 'active' | 'paused';
}

/** Change a subscription (absent fields keep their value); `status` pauses or resumes it. */
export class UpdateWebhookSubscriptionDto {
  @NormalizedName()
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2048, description: URL_RULE })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(URL_SHAPE, { message: 'url must be an absolute http(s) URL' })
  url?: string;

  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 50, description: EVENT_TYPES_RULE })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(EVENT_TYPE, {
    each: true,
    message: 'each event type must be <resource>.<verb> or <resource>.*',
  })
  eventTypes?: string[];

  @VisibleText()
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({
    enum: SUBSCRIPTION_STATUSES,
    description:
      'paused: no deliveries are attempted (they wait); active: resumes and resets the failure count',
  })
  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  status?: 'active' | 'paused';
}

/** One attempt of a delivery. */
export class WebhookAttemptDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: Number, nullable: true }) responseStatus: number | null;
  @ApiProperty({ type: Number, nullable: true }) latencyMs: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

/** One event sent (or to be sent) to one subscription. */
export class WebhookDeliveryDto {
  @ApiProperty({ description: 'Also sent as `X-Alees-Delivery`' }) id: string;
  @ApiProperty() subscriptionId: string;
  @ApiProperty({ description: 'The domain event id (the payload `id`)' }) eventId: string;
  @ApiProperty({ example: 'product.created' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) responseStatus: number | null;
  @ApiProperty({ type: Number, nullable: true }) latencyMs: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The receiver's last answer, cut to 1 KB",
  })
  responseBody: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: [WebhookAttemptDto], description: 'The last 25 attempts, oldest first' })
  attemptLog: WebhookAttemptDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
