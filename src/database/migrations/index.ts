import { CreatePlatformBase1764000000000 } from './1764000000000-CreatePlatformBase';
import { CreateIdentity1764000100000 } from './1764000100000-CreateIdentity';
import { EnableTenantRowSecurity1764000200000 } from './1764000200000-EnableTenantRowSecurity';
import { CreateMasterData1764000300000 } from './1764000300000-CreateMasterData';
import { CreateTaskEffects1764000400000 } from './1764000400000-CreateTaskEffects';
import { CreateSchedules1764000500000 } from './1764000500000-CreateSchedules';
import { CreateStoredFiles1764000600000 } from './1764000600000-CreateStoredFiles';
import { CreateFeatureFlags1764000700000 } from './1764000700000-CreateFeatureFlags';
import { AddLanguages1764000750000 } from './1764000750000-AddLanguages';
import { CreateSearch1764000800000 } from './1764000800000-CreateSearch';
import { CreateChat1764000900000 } from './1764000900000-CreateChat';
import { CreateInvitations1764001000000 } from './1764001000000-CreateInvitations';
import { CreateLoginHistoryAndSignup1764001310000 } from './1764001310000-CreateLoginHistoryAndSignup';
import { FoldSearchText1764001400000 } from './1764001400000-FoldSearchText';
import { NormalizeStoredNames1764001430000 } from './1764001430000-NormalizeStoredNames';
import { AllowTenantPurge1764001900000 } from './1764001900000-AllowTenantPurge';
import { CreateDomainEvents1764002000000 } from './1764002000000-CreateDomainEvents';
import { CreateNotificationsAndFollowers1764002100000 } from './1764002100000-CreateNotificationsAndFollowers';
import { CreateCommentsAndActivities1764002200000 } from './1764002200000-CreateCommentsAndActivities';
import { CreateProfiles1764002300000 } from './1764002300000-CreateProfiles';
import { AddCollaborationTimelineIndexes1764002600000 } from './1764002600000-AddCollaborationTimelineIndexes';
import { AddNotificationLiveCounter1764002950000 } from './1764002950000-AddNotificationLiveCounter';
import { CreateCustomFields1764003100000 } from './1764003100000-CreateCustomFields';
import { CreateTags1764003200000 } from './1764003200000-CreateTags';
import { CreateStatuses1764003300000 } from './1764003300000-CreateStatuses';
import { CreateSavedFilters1764003310000 } from './1764003310000-CreateSavedFilters';
import { AddAuditSealing1764003500000 } from './1764003500000-AddAuditSealing';
import { CreateSchedulerLeases1764003600000 } from './1764003600000-CreateSchedulerLeases';
import { CreateWebhooks1764003700000 } from './1764003700000-CreateWebhooks';
import { CreateWorkflows1764003800000 } from './1764003800000-CreateWorkflows';
import { CreateAutomation1764003900000 } from './1764003900000-CreateAutomation';
import { CreateDocuments1764004000000 } from './1764004000000-CreateDocuments';
import { CreateMeetings1764004100000 } from './1764004100000-CreateMeetings';

/** Every migration in order. New ones are appended here (`<timestamp>-<VerbObject>.ts`). */
export const MIGRATIONS = [
  CreatePlatformBase1764000000000,
  CreateIdentity1764000100000,
  EnableTenantRowSecurity1764000200000,
  CreateMasterData1764000300000,
  CreateTaskEffects1764000400000,
  CreateSchedules1764000500000,
  CreateStoredFiles1764000600000,
  CreateFeatureFlags1764000700000,
  AddLanguages1764000750000,
  CreateSearch1764000800000,
  CreateChat1764000900000,
  CreateInvitations1764001000000,
  CreateLoginHistoryAndSignup1764001310000,
  FoldSearchText1764001400000,
  NormalizeStoredNames1764001430000,
  AllowTenantPurge1764001900000,
  CreateDomainEvents1764002000000,
  CreateNotificationsAndFollowers1764002100000,
  CreateCommentsAndActivities1764002200000,
  CreateProfiles1764002300000,
  AddCollaborationTimelineIndexes1764002600000,
  AddNotificationLiveCounter1764002950000,
  CreateCustomFields1764003100000,
  CreateTags1764003200000,
  CreateStatuses1764003300000,
  CreateSavedFilters1764003310000,
  AddAuditSealing1764003500000,
  CreateSchedulerLeases1764003600000,
  CreateWebhooks1764003700000,
  CreateWorkflows1764003800000,
  CreateAutomation1764003900000,
  CreateDocuments1764004000000,
  CreateMeetings1764004100000,
];
