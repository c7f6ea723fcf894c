import { IdempotencyKeyEntity } from '../core/http/idempotency/idempotency-key.entity';
import { RoleEntity, RolePermissionEntity } from '../modules/access/role.entity';
import { PermissionEntity } from '../modules/access/permission.entity';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { AuditLogEntity } from '../modules/audit/audit-log.entity';
import {
  LoginEventEntity,
  PasswordResetTokenEntity,
  RecoveryCodeEntity,
  RefreshTokenEntity,
  SignupRequestEntity,
} from '../modules/auth/auth-tokens.entity';
import { InvitationEntity } from '../modules/invitations/invitation.entity';
import { MembershipEntity, MembershipRoleEntity } from '../modules/memberships/membership.entity';
import { OrganizationTypeEntity } from '../modules/organization-types/organization-type.entity';
import { OrganizationEntity } from '../modules/organizations/organization.entity';
import { UserEntity } from '../modules/users/user.entity';
import { CurrencyEntity } from '../modules/currencies/currency.entity';
import { UnitOfMeasureEntity } from '../modules/units-of-measure/unit-of-measure.entity';
import { CategoryEntity } from '../modules/categories/category.entity';
import {
  ContactAddressEntity,
  ContactEmailEntity,
  ContactEntity,
  ContactPhoneEntity,
} from '../modules/contacts/contact.entity';
import { TaxCategoryEntity, TaxJurisdictionEntity, TaxRateEntity } from '../modules/tax/tax.entity';
import { ProductAttributeSchemaEntity, ProductEntity } from '../modules/products/product.entity';
import { StockLocationEntity, WarehouseEntity } from '../modules/warehouses/warehouse.entity';
import { StockLevelEntity, StockMoveEntity } from '../modules/stock/stock.entity';
import { TaskEffectEntity } from '../modules/tasks/task-effect.entity';
import { ScheduleEntity } from '../modules/schedules/schedule.entity';
import { AttachmentEntity, StoredFileEntity } from '../modules/files/file.entity';
import { FeatureFlagEntity } from '../modules/feature-flags/feature-flag.entity';
import { ContentTranslationEntity } from '../modules/content-translations/content-translation.entity';
import {
  ChatMessageEntity,
  ChatParticipantEntity,
  ChatRoomEntity,
} from '../modules/realtime/chat.entity';

/**
 * Every TypeORM entity, listed explicitly. A module adds its entities here; the drift test fails
 * when an entity and the migrations disagree.
 */
export const ENTITIES = [
  IdempotencyKeyEntity,
  UserEntity,
  OrganizationTypeEntity,
  OrganizationEntity,
  PermissionEntity,
  RoleEntity,
  RolePermissionEntity,
  MembershipEntity,
  MembershipRoleEntity,
  InvitationEntity,
  RefreshTokenEntity,
  PasswordResetTokenEntity,
  RecoveryCodeEntity,
  LoginEventEntity,
  SignupRequestEntity,
  ApiKeyEntity,
  AuditLogEntity,
  CurrencyEntity,
  UnitOfMeasureEntity,
  CategoryEntity,
  ContactEntity,
  ContactEmailEntity,
  ContactPhoneEntity,
  ContactAddressEntity,
  TaxJurisdictionEntity,
  TaxCategoryEntity,
  TaxRateEntity,
  ProductEntity,
  ProductAttributeSchemaEntity,
  WarehouseEntity,
  StockLocationEntity,
  StockMoveEntity,
  StockLevelEntity,
  TaskEffectEntity,
  ScheduleEntity,
  StoredFileEntity,
  AttachmentEntity,
  FeatureFlagEntity,
  ContentTranslationEntity,
  ChatRoomEntity,
  ChatParticipantEntity,
  ChatMessageEntity,
];
