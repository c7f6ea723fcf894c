import { MAIL_LANGUAGES } from '../mail';

type TitledType =
  | 'comment.mention'
  | 'comment.new'
  | 'activity.assigned'
  | 'activity.overdue'
  | 'record.updated'
  | 'record.deleted';
type Language = (typeof MAIL_LANGUAGES)[number];

/**
 * The title of each notification type the event consumer writes, per language, around the
 * record's label ("SKU-1 · Widget"). The row stores the English title (the in-app list) and the
 * label in `data.label`, so an e-mail is titled in its recipient's language (issue 17: a mention
 * e-mail in French for a French speaker). Types without an entry (broadcast, security notices)
 * keep the title their sender wrote.
 */
const TITLES: Record<TitledType, Record<Language, (label: string) => string>> = {
  'comment.mention': {
    en: (label) => `You were mentioned on ${label}`,
    fr: (label) => `Vous avez été mentionné(e) sur ${label}`,
  },
  'comment.new': {
    en: (label) => `New comment on ${label}`,
    fr: (label) => `Nouveau commentaire sur ${label}`,
  },
  'activity.assigned': {
    en: (label) => `An activity on ${label} was assigned to you`,
    fr: (label) => `Une activité sur ${label} vous a été attribuée`,
  },
  'activity.overdue': {
    en: (label) => `Overdue activity on ${label}`,
    fr: (label) => `Activité en retard sur ${label}`,
  },
  'record.updated': {
    en: (label) => `${label} was changed`,
    fr: (label) => `${label} a été modifié`,
  },
  'record.deleted': {
    en: (label) => `${label} was deleted`,
    fr: (label) => `${label} a été supprimé`,
  },
};

/** The English title of a consumer-written notification (what the row stores). */
export function notificationTitle(type: TitledType, label: string): string {
  return TITLES[type].en(label);
}

/**
 * The title of a stored notification in `language`: the translated title when the type has one
 * and the row carries its label (`data.label`), else the stored `title` (an unknown language
 * falls back to English, as mail templates do).
 */
export function localizedTitle(
  type: string,
  language: string,
  data: Record<string, unknown> | null | undefined,
  title: string,
): string {
  const titles = (TITLES as Partial<Record<string, Record<Language, (label: string) => string>>>)[
    type
  ];
  const label = data?.label;
  if (!titles || typeof label !== 'string') return title;
  const lang: Language = (MAIL_LANGUAGES as readonly string[]).includes(language)
    ? (language as Language)
    : 'en';
  return titles[lang](label);
}
