export { AuthModule } from './auth.module';
export { PasswordHasher } from './password-hasher';
export { TokenService, TokenPair } from './token.service';
export { hashApiKey } from './auth.guard';
export { revokeAllSessionsOfUser } from './revoke-sessions';
