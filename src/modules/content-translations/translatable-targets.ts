import { Injectable } from '@nestjs/common';
import { ExistenceChecks } from '../../core/database';

/**
 * Whether a translated entity exists: each owner of a `TRANSLATABLE` type registers
 * `{ type, exists(manager, orgId, id) }` (type as in `TRANSLATABLE`, e.g. `products`) from its
 * `onModuleInit`, through its own repository. The owner imports this module (products calls
 * `translate()`), so this module cannot call the owner back: the owner registers instead.
 * Provided and exported by `ContentTranslationsModule`.
 */
@Injectable()
export class TranslatableTargets extends ExistenceChecks {}
