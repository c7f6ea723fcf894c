import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
} from 'class-validator';

export class CreateChatRoomDto {
  @VisibleText()
  @ApiProperty({ example: 'Warehouse team' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Members of this organization to add besides you (who always take part)',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(50)
  @IsUUID(undefined, { each: true })
  participantIds?: string[];
}

export class AddParticipantDto {
  @ApiProperty({ description: 'A member of this organization' }) @IsUUID() userId: string;
}

export class PostChatMessageDto {
  @VisibleText()
  @ApiProperty({ example: 'The pallet for order 1042 is on dock 3.' })
  @IsString()
  @Length(1, 4000)
  body: string;
}

export class ChatRoomDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: [String] }) participantIds: string[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class ChatMessageDto {
  @ApiProperty() id: string;
  @ApiProperty() roomId: string;
  @ApiProperty() authorId: string;
  @ApiProperty() body: string;
  @ApiProperty() createdAt: string;
}
