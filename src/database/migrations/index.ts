import { CreatePlatformBase1764000000000 } from './1764000000000-CreatePlatformBase';

/** Every migration in order. New ones are appended here (`<timestamp>-<VerbObject>.ts`). */
export const MIGRATIONS = [CreatePlatformBase1764000000000];
