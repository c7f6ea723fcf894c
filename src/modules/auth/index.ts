import {
  LoginEventEntity,
  PasswordResetTokenEntity,
  RecoveryCodeEntity,
  RefreshTokenEntity,
  SignupRequestEntity,
} from './auth-tokens.entity';

export { AuthModule } from './auth.module';
export { TokenService, TokenPair } from './token.service';
export { AuthGuard, hashApiKey } from './auth.guard';
export { revokeAllSessionsOfUser } from './revoke-sessions';
export { issuePasswordResetToken, passwordLink, sha256 } from './password-reset-tokens';
export { createAdmin, resetAdminPassword } from './admin-accounts';
export {
  LoginEventEntity,
  PasswordResetTokenEntity,
  RecoveryCodeEntity,
  RefreshTokenEntity,
  SignupRequestEntity,
} from './auth-tokens.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const AUTH_ENTITIES = [
  RefreshTokenEntity,
  PasswordResetTokenEntity,
  RecoveryCodeEntity,
  LoginEventEntity,
  SignupRequestEntity,
];
