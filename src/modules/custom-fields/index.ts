// Public surface of the custom-fields module.
import { CustomFieldDefinitionEntity } from './custom-field.entity';

export { CustomFieldsModule, CustomFieldsServiceModule } from './custom-fields.module';
export { CustomFieldsService } from './custom-fields.service';
export { CustomFieldTargets, CustomFieldTargetsModule } from './custom-field-targets';
export type { CustomFieldTarget } from './custom-field-targets';
export type { CustomFieldRule, CustomFieldType } from './custom-field-rules';
export { CUSTOM_FIELD_TYPES } from './custom-field-rules';
export { customFieldColumns, cellToValue, valueToCell, CF_PREFIX } from './custom-field-columns';
export { CustomFieldDefinitionEntity } from './custom-field.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const CUSTOM_FIELDS_ENTITIES = [CustomFieldDefinitionEntity];
export {
  CUSTOM_FIELDS_INPUT_DOC,
  CUSTOM_FIELDS_OUTPUT_DOC,
  CustomFieldsInput,
} from './dto/custom-field-values.doc';
