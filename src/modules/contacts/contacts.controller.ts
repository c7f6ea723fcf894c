import { Body, Controller, Get, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  Page,
  PageOf,
  ReadRoute,
  UpdateRoute,
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
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ContactDto>> {
    return this.contacts.list(orgId, await this.lists.resolve(CONTACT_LIST, raw, scope));
  }

  @CreateRoute(
    'contacts',
    'contacts:manage',
    'Create a person or company with emails, phones and addresses',
    ContactDto,
  )
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateContactDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ContactDto> {
    return this.contacts.create(orgId, dto, context);
  }

  @ReadRoute('contacts:read', 'One contact (ETag for If-Match)', ContactDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<ContactDto> {
    return this.contacts.get(orgId, id);
  }

  @UpdateRoute(
    'contacts:manage',
    'Change a contact; a list sent replaces the stored one',
    ContactDto,
  )
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateContactDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<ContactDto> {
    return this.contacts.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('contacts:manage', 'Delete a contact and its emails, phones and addresses')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.contacts.delete(orgId, id, version, context);
  }
}
