import escapeHtml from 'escape-html';

/**
 * Where a match starts and stops in a highlight before it is made HTML: private-use characters
 * (U+E000, U+E001) that no stored text keeps (they are removed from it first), so stored text can
 * never pass for a marker.
 */
export const MATCH_START = '\uE000';
export const MATCH_STOP = '\uE001';
const SENTINELS = /[\uE000\uE001]/g;

/** `text` without the match sentinels (done to stored text before it is highlighted). */
export const withoutSentinels = (text: string): string => text.replace(SENTINELS, '');

/**
 * The highlight contract for every backend: the stored text HTML-escaped (`& < > " '`, by
 * escape-html) with only `<mark>`/`</mark>` added where the backend put MATCH_START/MATCH_STOP.
 * `<img src=x> \uE000Zeta\uE001` → `&lt;img src=x&gt; <mark>Zeta</mark>`. Safe to render as HTML.
 */
export function toHighlightHtml(marked: string): string {
  return escapeHtml(marked).replaceAll(MATCH_START, '<mark>').replaceAll(MATCH_STOP, '</mark>');
}
