import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
} from '../../core/http';
import { CONTACT_LIST, ContactsService } from './contacts.service';
import { ContactDto, CreateContactDto, UpdateContactDto } from './dto/contact.dto';

@ApiTags('contacts')
@ApiNotFoundResponse({
  description: 'No such contact in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('contacts:read')
  @ApiOperation({
    summary:
      'Contacts of this organization (filter by kind, tag, category; q searches names (accents and Unicode forms folded) and emails)',
  })
  @ApiListQuery(CONTACT_LIST)
  @ApiOkResponse({ type: PageOf(ContactDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ContactDto>> {
    return this.contacts.list(orgId, this.lists.parse(CONTACT_LIST, raw));
  }

  @Post()
  @LocationOf('contacts')
  @RequirePermissions('contacts:manage')
  @ApiOperation({ summary: 'Create a person or company with emails, phones and addresses' })
  @ApiCreatedResponse({ type: ContactDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateContactDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ContactDto> {
    return this.contacts.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('contacts:read')
  @ApiOperation({ summary: 'One contact (ETag for If-Match)' })
  @ApiOkResponse({ type: ContactDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<ContactDto> {
    return this.contacts.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('contacts:manage')
  @ApiOperation({ summary: 'Change a contact; a list sent replaces the stored one' })
  @ApiOkResponse({ type: ContactDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateContactDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<ContactDto> {
    return this.contacts.update(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('contacts:manage')
  @ApiOperation({ summary: 'Delete a contact and its emails, phones and addresses' })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.contacts.delete(orgId, id, version, context);
  }
}
