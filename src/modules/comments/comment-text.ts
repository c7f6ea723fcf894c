/**
 * Mentions are written in the body as `@[Display name](user:<uuid>)` (SPEC-P3 §3); the display
 * name is free text the client chose, the uuid is what counts. Returns the distinct user ids in
 * order of first appearance (lower-cased). Code is quoted text, not a mention: what stands in a
 * fenced block (` ``` ` or `~~~`, up to its closing fence or the end of the body) or in an inline
 * code span (CommonMark's rules for both) mentions nobody, as a markdown renderer shows it as code.
 */
export function parseMentions(body: string): string[] {
  const ids = new Set<string>();
  const prose = body.replace(FENCED_CODE, '\n').replace(CODE_SPAN, ' ');
  for (const match of prose.matchAll(MENTION)) ids.add(match[1].toLowerCase());
  return [...ids];
}

/** A fenced code block: an opening fence of 3+ backticks or tildes, to a closing fence as long or the end. */
const FENCED_CODE =
  /^ {0,3}(`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?)?(?:\n {0,3}\1[`~]*[ \t]*(?=\n|$)|$(?![\s\S]))/gm;

/** An inline code span: a run of backticks, then text, then a run of exactly as many. */
const CODE_SPAN = /(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;

const MENTION =
  /@\[[^\]\n]{1,200}\]\(user:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)/g;

/** At most this many distinct people per comment (each one is checked against the target). */
export const MAX_MENTIONS = 50;

/**
 * One emoji as users type it: a pictographic character (or a flag's two regional indicators, or a
 * keycap), optionally with variation selectors, skin tones and ZWJ sequences; at most 32 UTF-16
 * units (the column's size). Letters, digits alone, markup and look-alike punctuation are refused.
 */
export function isEmoji(value: string): boolean {
  return value.length > 0 && value.length <= 32 && EMOJI.test(value);
}

const EMOJI =
  /^(?:\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3|\p{Extended_Pictographic}\uFE0F?[\u{1F3FB}-\u{1F3FF}]?(?:\u200D\p{Extended_Pictographic}\uFE0F?[\u{1F3FB}-\u{1F3FF}]?)*)$/u;

/** The first 140 characters (code points) of a body, for notifications (`excerpt` of events). */
export const excerptOf = (body: string): string => [...body].slice(0, 140).join('');
