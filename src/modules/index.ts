import type { DynamicModule, Type } from '@nestjs/common';

/** Domain modules served by the API, in dependency order (SPEC §6). */
export const DOMAIN_MODULES: (Type | DynamicModule)[] = [];

/** Domain modules whose queue processors run in the worker. */
export const DOMAIN_JOB_MODULES: (Type | DynamicModule)[] = [];
