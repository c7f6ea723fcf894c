import { translateDetail, type Language } from '../../core/i18n';
import { translateValidationDetail } from '../../core/i18n/validation-messages';
import type { RowError } from './importer';

type Rule = { en: RegExp; fr: (m: string[]) => string };

/**
 * French for the importers' own per-row messages (import.job.ts, products/products.importer.ts,
 * contacts/contacts.importer.ts, row-source.ts). class-validator's messages and the API's field messages are
 * `translateValidationDetail`'s; database refusals carry their envelope code (`translateDetail`).
 */
const ROW_RULES: Rule[] = [
  { en: /^appears twice in this file$/, fr: () => 'apparaît deux fois dans ce fichier' },
  { en: /^already exists$/, fr: () => 'existe déjà' },
  // Custom field cells (`cf.<key>`; modules/custom-fields, custom-field-rules.ts).
  { en: /^(\S+) is not a custom field$/, fr: (m) => `${m[1]} n’est pas un champ personnalisé` },
  {
    en: /^(\S+) is deactivated and takes no new values$/,
    fr: (m) => `${m[1]} est désactivé et n’accepte plus de valeurs`,
  },
  { en: /^(\S+) is required$/, fr: (m) => `${m[1]} est obligatoire` },
  {
    en: /^(\S+) must be an active member of this organization$/,
    fr: (m) => `${m[1]} doit être un membre actif de cette organisation`,
  },
  { en: /^(\S+) must be true or false$/, fr: (m) => `${m[1]} doit valoir true ou false` },
  {
    en: /^(\S+) must be one of: (.*)$/,
    fr: (m) => `${m[1]} doit être l’une des valeurs : ${m[2]}`,
  },
  { en: /^(\S+) must list only: (.*)$/, fr: (m) => `${m[1]} ne peut lister que : ${m[2]}` },
  {
    en: /^(\S+) must be a real date \(YYYY-MM-DD\)$/,
    fr: (m) => `${m[1]} doit être une date réelle (AAAA-MM-JJ)`,
  },
  {
    en: /^(\S+) must be a finite number within ±(\S+)$/,
    fr: (m) => `${m[1]} doit être un nombre fini entre -${m[2]} et ${m[2]}`,
  },
  {
    en: /^(\S+) must be a decimal with at most 15 digits and 6 decimals$/,
    fr: (m) => `${m[1]} doit être un décimal d’au plus 15 chiffres et 6 décimales`,
  },
  {
    en: /^(\S+) must be at (most|least) (\S+)( characters)?$/,
    fr: (m) =>
      `${m[1]} doit valoir au ${m[2] === 'most' ? 'plus' : 'moins'} ${m[3]}${m[4] ? ' caractères' : ''}`,
  },
  {
    en: /^(\S+) does not match the pattern (.*)$/,
    fr: (m) => `${m[1]} ne correspond pas au motif ${m[2]}`,
  },
  {
    en: /^a price needs a currency and a currency a price$/,
    fr: () => 'un prix demande une devise, et une devise un prix',
  },
  { en: /^unknown or inactive currency$/, fr: () => 'devise inconnue ou inactive' },
  {
    en: /^unknown or inactive unit of measure$/,
    fr: () => 'unité de mesure inconnue ou inactive',
  },
  {
    en: /^not a product category of this organization$/,
    fr: () => 'n’est pas une catégorie de produits de cette organisation',
  },
  {
    en: /^not a contact category of this organization$/,
    fr: () => 'n’est pas une catégorie de contacts de cette organisation',
  },
  {
    en: /^contains the control character (U\+[0-9A-F]{4}) at position (\d+) \(only tab and line breaks are allowed\)$/,
    fr: (m) =>
      `contient le caractère de contrôle ${m[1]} en position ${m[2]} (seuls la tabulation et les retours à la ligne sont permis)`,
  },
  {
    en: /^contains the control character (U\+[0-9A-F]{4}) at position (\d+) \(not allowed in this column\)$/,
    fr: (m) =>
      `contient le caractère de contrôle ${m[1]} en position ${m[2]} (interdit dans cette colonne)`,
  },
  { en: /^the cell holds the error (.+)$/, fr: (m) => `la cellule contient l’erreur ${m[1]}` },
  {
    en: /^the formula has no saved result: open the file in a spreadsheet and save it again$/,
    fr: () =>
      'la formule n’a pas de résultat enregistré : ouvrez le fichier dans un tableur et enregistrez-le à nouveau',
  },
];

/**
 * One row error as shown to the person who started the import: `message` in `language` (the
 * starter's, resolved at `POST /imports`), and only `line`, `column`, `message` (the internal
 * `code` and `rules` used to translate are dropped). English messages are returned as written.
 */
export function translateRowError(error: RowError, language: Language): RowError {
  const { line, column } = error;
  if (language === 'en') return { line, column, message: error.message };
  if (error.code) {
    const detail = error.message.replace(/ \([a-z_]+\)$/, '');
    return {
      line,
      column,
      message: `${translateDetail(error.code, detail, language)} (${error.code})`,
    };
  }
  for (const { en, fr } of ROW_RULES) {
    const match = en.exec(error.message);
    if (match) return { line, column, message: fr([...match]) };
  }
  const message = translateValidationDetail(error.message, language, {
    field: column || undefined,
    rules: error.rules,
  });
  return { line, column, message };
}
