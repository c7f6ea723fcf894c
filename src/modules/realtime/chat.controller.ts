import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  CurrentUserId,
  ListScope,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  IdParam,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
} from '../../core/http';
import { CHAT_MESSAGE_LIST, CHAT_ROOM_LIST, ChatService } from './chat.service';
import {
  AddParticipantDto,
  ChatMessageDto,
  ChatRoomDto,
  CreateChatRoomDto,
  PostChatMessageDto,
} from './dto/chat.dto';

@ApiTags('chat')
@ApiNotFoundResponse({
  description: 'No such room among the rooms you take part in',
  type: ErrorEnvelopeDto,
})
@Controller('chat-rooms')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('chat:read')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'The chat rooms you take part in' })
  @ApiListQuery(CHAT_ROOM_LIST)
  @ApiOkResponse({ type: PageOf(ChatRoomDto) })
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ChatRoomDto>> {
    return this.chat.list(orgId, userId, await this.lists.resolve(CHAT_ROOM_LIST, raw, scope));
  }

  @Post()
  @LocationOf('chat-rooms')
  @RequirePermissions('chat:write')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'Create a room; you take part, with the members you name' })
  @ApiCreatedResponse({ type: ChatRoomDto })
  create(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Body() dto: CreateChatRoomDto,
  ): Promise<ChatRoomDto> {
    return this.chat.create(orgId, userId, dto);
  }

  @Get(':id')
  @RequirePermissions('chat:read')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'One room and its participants' })
  @ApiOkResponse({ type: ChatRoomDto })
  get(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<ChatRoomDto> {
    return this.chat.get(orgId, userId, id);
  }

  @Post(':id/participants')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('chat:write')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'Add a member of this organization to the room' })
  @ApiOkResponse({ type: ChatRoomDto })
  addParticipant(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: AddParticipantDto,
  ): Promise<ChatRoomDto> {
    return this.chat.addParticipant(orgId, userId, id, dto.userId);
  }

  @Delete(':id/participants/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('chat:write')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'Remove a participant (yourself: leave the room)' })
  @ApiNoContentResponse()
  async removeParticipant(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IdParam('userId') participantId: string,
  ): Promise<void> {
    await this.chat.removeParticipant(orgId, userId, id, participantId);
  }

  @Get(':id/messages')
  @RequirePermissions('chat:read')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'Messages, newest first (?cursor= for older pages)' })
  @ApiListQuery(CHAT_MESSAGE_LIST)
  @ApiOkResponse({ type: PageOf(ChatMessageDto) })
  async messages(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ChatMessageDto>> {
    return this.chat.messages(
      orgId,
      userId,
      id,
      await this.lists.resolve(CHAT_MESSAGE_LIST, raw, scope),
    );
  }

  @Post(':id/messages')
  @RequirePermissions('chat:write')
  @RequireUser() // chat is between people: API keys have none (403 user_required)
  @ApiOperation({ summary: 'Post a message: stored, then pushed as chat.message to the room' })
  @ApiCreatedResponse({ type: ChatMessageDto })
  post(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: PostChatMessageDto,
  ): Promise<ChatMessageDto> {
    return this.chat.post(orgId, userId, id, dto.body);
  }
}
