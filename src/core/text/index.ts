export * from './control-chars';
export { normalizeName, NORMALIZED_NAME_NOTE, ZERO_WIDTH_RE } from './normalize';
export { NORMALIZED_NAME_CONSTRAINT, NormalizedName } from './normalized-name.decorator';
export {
  hasVisibleText,
  VISIBLE_TEXT_CONSTRAINT,
  VISIBLE_TEXT_NOTE,
  VisibleText,
} from './visible-text.decorator';
