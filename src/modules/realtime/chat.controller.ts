import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
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
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  ForbiddenError,
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

const Id = () => Param('id', ParseUUIDPipe);

/** Chat is between people: API keys have no user to take part. */
function userOf(principal: Principal): string {
  if (!principal.userId) throw new ForbiddenError('Chat needs a signed-in user', 'user_required');
  return principal.userId;
}

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
  @ApiOperation({ summary: 'The chat rooms you take part in' })
  @ApiListQuery(CHAT_ROOM_LIST)
  @ApiOkResponse({ type: PageOf(ChatRoomDto) })
  list(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ChatRoomDto>> {
    return this.chat.list(orgId, userOf(principal), this.lists.parse(CHAT_ROOM_LIST, raw));
  }

  @Post()
  @LocationOf('chat-rooms')
  @RequirePermissions('chat:write')
  @ApiOperation({ summary: 'Create a room; you take part, with the members you name' })
  @ApiCreatedResponse({ type: ChatRoomDto })
  create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateChatRoomDto,
  ): Promise<ChatRoomDto> {
    return this.chat.create(orgId, userOf(principal), dto);
  }

  @Get(':id')
  @RequirePermissions('chat:read')
  @ApiOperation({ summary: 'One room and its participants' })
  @ApiOkResponse({ type: ChatRoomDto })
  get(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Id() id: string,
  ): Promise<ChatRoomDto> {
    return this.chat.get(orgId, userOf(principal), id);
  }

  @Post(':id/participants')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('chat:write')
  @ApiOperation({ summary: 'Add a member of this organization to the room' })
  @ApiOkResponse({ type: ChatRoomDto })
  addParticipant(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Id() id: string,
    @Body() dto: AddParticipantDto,
  ): Promise<ChatRoomDto> {
    return this.chat.addParticipant(orgId, userOf(principal), id, dto.userId);
  }

  @Delete(':id/participants/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('chat:write')
  @ApiOperation({ summary: 'Remove a participant (yourself: leave the room)' })
  @ApiNoContentResponse()
  async removeParticipant(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Id() id: string,
    @Param('userId', ParseUUIDPipe) participantId: string,
  ): Promise<void> {
    await this.chat.removeParticipant(orgId, userOf(principal), id, participantId);
  }

  @Get(':id/messages')
  @RequirePermissions('chat:read')
  @ApiOperation({ summary: 'Messages, newest first (?cursor= for older pages)' })
  @ApiListQuery(CHAT_MESSAGE_LIST)
  @ApiOkResponse({ type: PageOf(ChatMessageDto) })
  messages(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Id() id: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ChatMessageDto>> {
    return this.chat.messages(
      orgId,
      userOf(principal),
      id,
      this.lists.parse(CHAT_MESSAGE_LIST, raw),
    );
  }

  @Post(':id/messages')
  @RequirePermissions('chat:write')
  @ApiOperation({ summary: 'Post a message: stored, then pushed as chat.message to the room' })
  @ApiCreatedResponse({ type: ChatMessageDto })
  post(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Id() id: string,
    @Body() dto: PostChatMessageDto,
  ): Promise<ChatMessageDto> {
    return this.chat.post(orgId, userOf(principal), id, dto.body);
  }
}
