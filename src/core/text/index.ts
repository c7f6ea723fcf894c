export * from './control-chars';
export { normalizeName, NORMALIZED_NAME_NOTE, ZERO_WIDTH_RE } from './normalize';
export { NormalizedName } from './normalized-name.decorator';
