import type { DynamicModule, Type } from '@nestjs/common';
import { AccessModule } from './access';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit';
import { AuditLogsModule } from './audit-logs/audit-logs.module';
import { AuthModule } from './auth';
import { MembershipsModule } from './memberships/memberships.module';
import { OrganizationTypesModule } from './organization-types/organization-types.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { RolesModule } from './roles/roles.module';
import { UsersModule } from './users/users.module';
import { CurrenciesModule } from './currencies/currencies.module';
import { UnitsOfMeasureModule } from './units-of-measure/units-of-measure.module';
import { CategoriesModule } from './categories/categories.module';
import { ContactsModule } from './contacts/contacts.module';
import { TaxModule } from './tax/tax.module';
import { ProductsModule } from './products/products.module';
import { WarehousesModule } from './warehouses/warehouses.module';
import { StockModule } from './stock/stock.module';
import { TasksModule, TasksWorkerModule } from './tasks';
import { StockJobsModule } from './stock/stock-jobs.module';
import { SchedulerModule, SchedulesModule } from './schedules/schedules.module';
import { MailModule, MailWorkerModule } from './mail/mail.module';
import { FilesModule } from './files/files.module';
import { ImportsJobsModule, ImportsModule } from './imports/imports.module';
import { FeatureFlagsModule } from './feature-flags/feature-flags.module';
import { ContentTranslationsModule } from './content-translations/content-translations.module';
import { SearchModule, SearchWorkerModule } from './search/search.module';
import { RealtimeModule, RealtimePublisherModule } from './realtime/realtime.module';
import { TenantOffboardingJobsModule, TenantOffboardingModule } from './tenant-offboarding';
import { InvitationsModule } from './invitations';
import { TenantsModule } from './tenants';

/** Domain modules served by the API, in dependency order (SPEC §6). */
export const DOMAIN_MODULES: (Type | DynamicModule)[] = [
  MailModule,
  AuditModule,
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
  TasksModule,
  SchedulesModule,
  FilesModule,
  ImportsModule,
  FeatureFlagsModule,
  ContentTranslationsModule,
  SearchModule,
  RealtimeModule,
  TenantOffboardingModule,
];

/** Domain modules whose queue processors run in the worker. */
export const DOMAIN_JOB_MODULES: (Type | DynamicModule)[] = [
  RealtimePublisherModule,
  TasksWorkerModule,
  StockJobsModule,
  SchedulerModule,
  MailWorkerModule,
  ImportsJobsModule,
  SearchWorkerModule,
  TenantOffboardingJobsModule,
];
