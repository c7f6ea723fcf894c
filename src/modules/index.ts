import type { DynamicModule, Type } from '@nestjs/common';
import type { Seeder } from '../core/database';
import { ACCESS_ENTITIES, AccessModule, accessSeeder } from './access';
import { API_KEYS_ENTITIES, ApiKeysModule } from './api-keys';
import { AUDIT_ENTITIES, AuditMetricsModule, AuditModule, AuditWorkerModule } from './audit';
import {
  DOMAIN_EVENTS_ENTITIES,
  DomainEventsMetricsModule,
  DomainEventsModule,
  DomainEventsWorkerModule,
} from './domain-events';
import { AuditLogsModule } from './audit-logs';
import { AUTH_ENTITIES, AuthModule } from './auth';
import { MEMBERSHIPS_ENTITIES, MembershipsModule } from './memberships';
import {
  ORGANIZATION_TYPES_ENTITIES,
  OrganizationTypesModule,
  organizationTypesSeeder,
} from './organization-types';
import { ORGANIZATIONS_ENTITIES, OrganizationsModule } from './organizations';
import { RolesModule } from './roles';
import { USERS_ENTITIES, UsersModule } from './users';
import { CURRENCIES_ENTITIES, CurrenciesModule, currenciesSeeder } from './currencies';
import {
  UNITS_OF_MEASURE_ENTITIES,
  UnitsOfMeasureModule,
  unitsOfMeasureSeeder,
} from './units-of-measure';
import { CATEGORIES_ENTITIES, CategoriesModule, CategoryTargetsModule } from './categories';
import { CONTACTS_ENTITIES, ContactsModule, ContactsWorkerModule } from './contacts';
import { TAX_ENTITIES, TaxModule } from './tax';
import { PRODUCTS_ENTITIES, ProductsModule, ProductsWorkerModule } from './products';
import { WAREHOUSES_ENTITIES, WarehousesModule, WarehouseTargetsModule } from './warehouses';
import { STOCK_ENTITIES, StockWorkerModule, StockModule } from './stock';
import { JOBS_ENTITIES, JobsModule, JobsWorkerModule } from './jobs';
import { SCHEDULES_ENTITIES, SchedulesWorkerModule, SchedulesModule } from './schedules';
import { MailModule, MailWorkerModule } from './mail';
import { FILES_ENTITIES, FilesModule } from './files';
import { ImportsWorkerModule, ImportsModule } from './imports';
import { FEATURE_FLAGS_ENTITIES, FeatureFlagsModule } from './feature-flags';
import { CONTENT_TRANSLATIONS_ENTITIES, ContentTranslationsModule } from './content-translations';
import { SearchModule, SearchWorkerModule } from './search';
import {
  REALTIME_ENTITIES,
  RealtimeModule,
  RealtimePublisherModule,
  RealtimeWorkerModule,
} from './realtime';
import { INVITATIONS_ENTITIES, InvitationsModule } from './invitations';
import { COMMENTS_ENTITIES, CommentsModule } from './comments';
import { DOCUMENTS_ENTITIES, DocumentsModule, DocumentsWorkerModule } from './documents';
import { ACTIVITIES_ENTITIES, ActivitiesModule, ActivitiesWorkerModule } from './activities';
import { TenantOffboardingModule, TenantsModule, TenantsWorkerModule } from './tenants';
import { FOLLOWERS_ENTITIES, FollowersModule } from './followers';
import {
  NOTIFICATIONS_ENTITIES,
  NotificationsModule,
  NotificationsWorkerModule,
} from './notifications';
import { PROFILES_ENTITIES, ProfilesModule } from './profiles';
import { TimelineModule } from './timeline';
import { TAGS_ENTITIES, TagsModule } from './tags';
import {
  CUSTOM_FIELDS_ENTITIES,
  CustomFieldsModule,
  CustomFieldsServiceModule,
} from './custom-fields';
import { STATUSES_ENTITIES, StatusesModule } from './statuses';
import { SAVED_FILTERS_ENTITIES, SavedFiltersModule } from './saved-filters';
import {
  MEETINGS_ENTITIES,
  MeetingsModule,
  MeetingsWorkerModule,
  MeetingTargetsModule,
} from './meetings';
import { WEBHOOKS_ENTITIES, WebhooksModule, WebhooksWorkerModule } from './webhooks';
import {
  WORKFLOWS_ENTITIES,
  WorkflowsModule,
  WorkflowSubjectsModule,
  WorkflowsWorkerModule,
} from './workflows';
import { AutomationActionsModule } from '../core/automation';
import { AUTOMATION_ENTITIES, AutomationModule, AutomationWorkerModule } from './automation';

/** Domain modules served by the API, in dependency order (SPEC §6). */
export const DOMAIN_MODULES: (Type | DynamicModule)[] = [
  DomainEventsModule,
  AutomationActionsModule,
  WorkflowSubjectsModule,
  DomainEventsMetricsModule,
  MailModule,
  AuditModule,
  AuditMetricsModule,
  AccessModule,
  AuthModule,
  UsersModule,
  OrganizationTypesModule,
  OrganizationsModule,
  MembershipsModule,
  RolesModule,
  ApiKeysModule,
  InvitationsModule,
  TenantsModule,
  AuditLogsModule,
  CurrenciesModule,
  UnitsOfMeasureModule,
  CategoriesModule,
  ContactsModule,
  TaxModule,
  ProductsModule,
  WarehousesModule,
  StockModule,
  JobsModule,
  SchedulesModule,
  FilesModule,
  ImportsModule,
  FeatureFlagsModule,
  ContentTranslationsModule,
  SearchModule,
  RealtimeModule,
  CommentsModule,
  ActivitiesModule,
  TenantOffboardingModule,
  FollowersModule,
  NotificationsModule,
  ProfilesModule,
  TimelineModule,
  TagsModule,
  CustomFieldsModule,
  StatusesModule,
  SavedFiltersModule,
  DocumentsModule,
  MeetingsModule,
  WebhooksModule,
  WorkflowsModule,
  AutomationModule,
];

/** Domain modules whose queue processors run in the worker. */
export const DOMAIN_WORKER_MODULES: (Type | DynamicModule)[] = [
  DomainEventsModule,
  AutomationActionsModule,
  WorkflowSubjectsModule,
  AuditWorkerModule,
  RealtimePublisherModule,
  JobsWorkerModule,
  StockWorkerModule,
  SchedulesWorkerModule,
  MailWorkerModule,
  ImportsWorkerModule,
  CustomFieldsServiceModule,
  ProductsWorkerModule,
  ContactsWorkerModule,
  SearchWorkerModule,
  RealtimeWorkerModule,
  TenantsWorkerModule,
  // Collaboration targets without a worker module of their own (products and contacts load theirs).
  CategoryTargetsModule,
  WarehouseTargetsModule,
  DocumentsWorkerModule,
  MeetingTargetsModule,
  NotificationsWorkerModule,
  ActivitiesWorkerModule,
  MeetingsWorkerModule,
  WebhooksWorkerModule,
  WorkflowsWorkerModule,
  AutomationWorkerModule,
  // Last: every consumer has registered (onModuleInit) before the relay starts (bootstrap).
  DomainEventsWorkerModule,
];

/**
 * The TypeORM entities of every module, in the order they were always listed (core's own entities
 * and the migrations are added by `src/schema.ts`). A new module exports `<MODULE>_ENTITIES` from
 * its index.ts and is added here; the drift test fails when an entity and the migrations disagree.
 */
export const MODULE_ENTITIES = [
  ...USERS_ENTITIES,
  ...ORGANIZATION_TYPES_ENTITIES,
  ...ORGANIZATIONS_ENTITIES,
  ...ACCESS_ENTITIES,
  ...MEMBERSHIPS_ENTITIES,
  ...INVITATIONS_ENTITIES,
  ...AUTH_ENTITIES,
  ...API_KEYS_ENTITIES,
  ...AUDIT_ENTITIES,
  ...DOMAIN_EVENTS_ENTITIES,
  ...CURRENCIES_ENTITIES,
  ...UNITS_OF_MEASURE_ENTITIES,
  ...CATEGORIES_ENTITIES,
  ...CUSTOM_FIELDS_ENTITIES,
  ...CONTACTS_ENTITIES,
  ...TAX_ENTITIES,
  ...PRODUCTS_ENTITIES,
  ...WAREHOUSES_ENTITIES,
  ...STOCK_ENTITIES,
  ...JOBS_ENTITIES,
  ...SCHEDULES_ENTITIES,
  ...FILES_ENTITIES,
  ...FEATURE_FLAGS_ENTITIES,
  ...CONTENT_TRANSLATIONS_ENTITIES,
  ...REALTIME_ENTITIES,
  ...NOTIFICATIONS_ENTITIES,
  ...FOLLOWERS_ENTITIES,
  ...COMMENTS_ENTITIES,
  ...ACTIVITIES_ENTITIES,
  ...PROFILES_ENTITIES,
  ...TAGS_ENTITIES,
  ...STATUSES_ENTITIES,
  ...SAVED_FILTERS_ENTITIES,
  ...DOCUMENTS_ENTITIES,
  ...MEETINGS_ENTITIES,
  ...WEBHOOKS_ENTITIES,
  ...WORKFLOWS_ENTITIES,
  ...AUTOMATION_ENTITIES,
];

/**
 * Every seeder, in order (organization types before the roles that reference them). Each is
 * idempotent: running the seed twice equals running it once. Run by `runSeeds` (core/database).
 */
export const SEEDERS: readonly Seeder[] = [
  organizationTypesSeeder,
  accessSeeder,
  currenciesSeeder,
  unitsOfMeasureSeeder,
];
