export { AppConfig, RateLimitRule, RedisSettings, DEVELOPMENT_JWT_SECRET } from './app-config';
export { Environment } from './env.schema';
export {
  ConfigValidationError,
  loadConfig,
  loadConfigWithSecrets,
  readProcessEnvironment,
  RawEnvironment,
} from './load-config';
export { AppConfigModule } from './config.module';
