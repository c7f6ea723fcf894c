import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** One follower of a record. */
export class FollowerDto {
  @ApiProperty() userId: string;
  @ApiProperty({ enum: ['manual', 'author', 'mentioned', 'assigned'] }) reason: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AddFollowerDto {
  @ApiProperty({
    description:
      'An active member of this organization who can read the record (422 `follower_cannot_read_target` otherwise)',
  })
  @IsUUID()
  userId: string;
}
