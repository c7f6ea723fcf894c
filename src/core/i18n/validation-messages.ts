import type { Language } from './language';

type Rule = { en: RegExp; fr: (m: string[]) => string };

/**
 * French for the English details of 422 entries: class-validator's default message of each
 * constraint (class-validator 0.15 `src/decorator/**`), the list-query grammar
 * (`src/core/http/list-query.ts`) and this API's own field messages. `m[1]` is always the field.
 */
const RULES: Rule[] = [
  { en: /^(.+) is not an accepted field$/, fr: (m) => `${m[1]} n’est pas un champ accepté` },
  { en: /^(.+) must be a string$/, fr: (m) => `${m[1]} doit être une chaîne de caractères` },
  { en: /^(.+) must be a UUID$/, fr: (m) => `${m[1]} doit être un UUID` },
  {
    en: /^(.+) must be longer than or equal to (\d+) characters$/,
    fr: (m) => `${m[1]} doit contenir au moins ${m[2]} caractère(s)`,
  },
  {
    en: /^(.+) must be shorter than or equal to (\d+) characters$/,
    fr: (m) => `${m[1]} doit contenir au plus ${m[2]} caractère(s)`,
  },
  {
    en: /^(.+) must be at most (\d+) characters$/,
    fr: (m) => `${m[1]} doit contenir au plus ${m[2]} caractère(s)`,
  },
  { en: /^(.+) must match .+ regular expression$/, fr: (m) => `${m[1]} n’a pas le format attendu` },
  {
    en: /^(.+) must not be less than (.+)$/,
    fr: (m) => `${m[1]} doit être supérieur ou égal à ${m[2]}`,
  },
  {
    en: /^(.+) must not be greater than (.+)$/,
    fr: (m) => `${m[1]} doit être inférieur ou égal à ${m[2]}`,
  },
  { en: /^(.+) must be an integer number$/, fr: (m) => `${m[1]} doit être un nombre entier` },
  { en: /^(.+) must be an integer$/, fr: (m) => `${m[1]} doit être un nombre entier` },
  {
    en: /^(.+) must be an integer from (\d+) to (\d+)$/,
    fr: (m) => `${m[1]} doit être un entier de ${m[2]} à ${m[3]}`,
  },
  {
    en: /^(.+) must be a number conforming to the specified constraints$/,
    fr: (m) => `${m[1]} doit être un nombre`,
  },
  {
    en: /^(.+) must be one of the following values: (.*)$/,
    fr: (m) => `${m[1]} doit valoir l’une des valeurs suivantes : ${m[2]}`,
  },
  {
    en: /^(.+) must be one of: (.*)$/,
    fr: (m) => `${m[1]} doit valoir l’une des valeurs : ${m[2]}`,
  },
  { en: /^(.+) must be of: (.*)$/, fr: (m) => `${m[1]} doit valoir l’une des valeurs : ${m[2]}` },
  { en: /^(.+) must be a boolean value$/, fr: (m) => `${m[1]} doit être un booléen` },
  { en: /^(.+) must be true or false$/, fr: (m) => `${m[1]} doit valoir true ou false` },
  { en: /^(.+) must be an array$/, fr: (m) => `${m[1]} doit être un tableau` },
  { en: /^(.+) must be an object$/, fr: (m) => `${m[1]} doit être un objet` },
  { en: /^(.+) must be an email$/, fr: (m) => `${m[1]} doit être une adresse e-mail` },
  {
    en: /^(.+) must be a valid IANA time-zone$/,
    fr: (m) => `${m[1]} doit être un fuseau horaire IANA`,
  },
  {
    en: /^(.+) must contain no more than (\d+) elements$/,
    fr: (m) => `${m[1]} doit contenir au plus ${m[2]} élément(s)`,
  },
  {
    en: /^(.+) must contain at least (\d+) elements$/,
    fr: (m) => `${m[1]} doit contenir au moins ${m[2]} élément(s)`,
  },
  {
    en: /^All (.+)'s elements must be unique$/,
    fr: (m) => `Les éléments de ${m[1]} doivent être uniques`,
  },
  {
    en: /^nested property (.+) must be either object or array$/,
    fr: (m) => `${m[1]} doit être un objet ou un tableau`,
  },
  { en: /^(.+) should not be null or undefined$/, fr: (m) => `${m[1]} est obligatoire` },
  { en: /^(.+) should not be empty$/, fr: (m) => `${m[1]} ne doit pas être vide` },
  {
    en: /^(.+) must be a valid ISO 8601 date string$/,
    fr: (m) => `${m[1]} doit être une date ISO 8601`,
  },
  {
    en: /^(.+) must be an ISO-8601 timestamp$/,
    fr: (m) => `${m[1]} doit être un horodatage ISO 8601`,
  },
  {
    en: /^(.+) must be a date like (.+)$/,
    fr: (m) => `${m[1]} doit être une date comme ${m[2]}`,
  },
  {
    en: /^(.+) must be a decimal number like (.+)$/,
    fr: (m) => `${m[1]} doit être un nombre décimal comme ${m[2]}`,
  },
  { en: /^(.+) must be given once$/, fr: (m) => `${m[1]} ne doit être donné qu’une fois` },
  {
    en: /^cannot sort by "(.+)"; sortable: (.*)$/,
    fr: (m) => `tri impossible par « ${m[1]} » ; triables : ${m[2]}`,
  },
  { en: /^"(.+)" appears twice in sort$/, fr: (m) => `« ${m[1]} » apparaît deux fois dans sort` },
  { en: /^this list has no cursor mode$/, fr: () => 'cette liste n’a pas de mode curseur' },
  { en: /^cursor is not valid$/, fr: () => 'le curseur n’est pas valide' },
  { en: /^use either page or cursor$/, fr: () => 'utilisez page ou cursor, pas les deux' },
  {
    en: /^unknown parameter "([^"]+)"(?:; filters: (.*))?$/,
    fr: (m) => `paramètre inconnu « ${m[1]} »${m[2] ? ` ; filtres : ${m[2]}` : ''}`,
  },
];

/** French for a constraint when the English message is the DTO's own (a custom `message`). */
const BY_CONSTRAINT: Record<string, string> = {
  matches: 'n’a pas le format attendu',
  isIn: 'n’est pas une valeur acceptée',
  isEnum: 'n’est pas une valeur acceptée',
  isLength: 'n’a pas la longueur attendue',
  minLength: 'est trop court',
  maxLength: 'est trop long',
  min: 'est trop petit',
  max: 'est trop grand',
  isUuid: 'doit être un UUID',
  isDateString: 'doit être une date ISO 8601',
  isIso8601: 'doit être une date ISO 8601',
};

function translateOne(message: string, field: string | undefined, rule?: string): string {
  const each = /^each value in (.+)$/.exec(message);
  if (each) return `chaque valeur de ${translateOne(each[1], field, rule)}`;
  for (const { en, fr } of RULES) {
    const match = en.exec(message);
    if (match) return fr([...match]);
  }
  const name = field ?? /^[A-Za-z][\w.]*/.exec(message)?.[0] ?? 'valeur';
  const phrase = (rule && BY_CONSTRAINT[rule]) ?? 'n’est pas valide';
  return `${name} ${phrase}`;
}

/**
 * The detail of one 422 entry in `language`: each `; `-separated English message is translated on
 * its own (class-validator defaults, the list grammar, or — for a DTO's own message — the
 * constraint's generic French phrase naming the field), so no French answer carries English.
 */
export function translateValidationDetail(
  detail: string,
  language: Language,
  context: { field?: string; rules?: string[] } = {},
): string {
  if (language === 'en') return detail;
  if (RULES.some(({ en }) => en.test(detail))) return translateOne(detail, context.field);
  const parts = detail.split('; ');
  return parts
    .map((part, index) => {
      const rule = context.rules?.[parts.length === context.rules.length ? index : 0];
      return translateOne(part, context.field, rule);
    })
    .join(' ; ');
}
