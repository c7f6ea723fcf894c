import { Injectable } from '@nestjs/common';
import { AppValidationPipe, FieldIssue, ValidationFailedError } from '../../../core/http';
import { RecordUpdaters } from '../../../core/targets';

/**
 * Checks the `fields` of an `update_record` action for one entity type: only the owner's allowed
 * fields ({@link RecordUpdater.fields}), each valid for the owner's update DTO exactly as its
 * route's validation pipe would (`AppValidationPipe`). Used when a rule is saved, in dry runs and
 * before each run (a DTO may have changed since the rule was saved).
 */
@Injectable()
export class RecordFields {
  private readonly pipe = new AppValidationPipe();

  constructor(private readonly updaters: RecordUpdaters) {}

  /**
   * The validated fields (the DTO instance the owner's service takes), or a 422
   * `validation_error` whose pointers start with `base` (e.g. `/fields/price`).
   */
  async check(
    entityType: string,
    fields: Record<string, unknown>,
    base: string,
  ): Promise<Record<string, unknown>> {
    const updater = this.updaters.get(entityType);
    if (!updater) {
      throw new ValidationFailedError([
        { pointer: base, detail: `records of ${entityType} cannot be updated by automation` },
      ]);
    }
    const unknown: FieldIssue[] = Object.keys(fields)
      .filter((name) => !updater.fields.includes(name))
      .map((name) => ({
        pointer: `${base}/${name}`,
        detail: `${name} cannot be set by automation on ${entityType} (allowed: ${updater.fields.join(', ')})`,
        meta: { allowed: [...updater.fields] },
      }));
    if (unknown.length > 0) throw new ValidationFailedError(unknown);
    try {
      return (await this.pipe.transform(fields, {
        type: 'body',
        metatype: updater.dto,
        data: '',
      })) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        throw new ValidationFailedError(
          error.issues.map((issue) => ({ ...issue, pointer: `${base}${issue.pointer ?? ''}` })),
        );
      }
      throw error;
    }
  }
}
