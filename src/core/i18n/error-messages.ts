import type { Language } from './language';
import { translateValidationDetail } from './validation-messages';

/**
 * Error details by code, per language other than English (English details are written where the
 * error is raised). A code without a translation keeps its English detail.
 */
const DETAILS: Record<Exclude<Language, 'en'>, Record<string, string>> = {
  fr: {
    bad_request: 'La requête est invalide.',
    not_found: 'La ressource demandée est introuvable.',
    route_not_found: 'Cette route n’existe pas.',
    method_not_allowed: 'Cette méthode n’est pas autorisée ici.',
    unauthorized: 'Authentification requise : identifiants absents, invalides ou expirés.',
    invalid_token: 'Le jeton est invalide ou a expiré.',
    invalid_credentials: 'Adresse e-mail ou mot de passe incorrect.',
    forbidden: 'Vous n’avez pas la permission de faire cela.',
    organization_forbidden: 'Vous n’êtes pas membre de cette organisation.',
    conflict: 'Cet enregistrement entre en conflit avec un enregistrement existant.',
    precondition_failed:
      'L’enregistrement a changé depuis votre lecture : relisez-le puis réessayez.',
    payload_too_large: 'La requête est trop volumineuse.',
    unsupported_media_type: 'Type de contenu non pris en charge.',
    unsupported_file_type:
      'Le contenu du fichier n’est pas accepté ou ne correspond pas à son type déclaré.',
    malformed_json: 'Le corps de la requête n’est pas un JSON valide.',
    rate_limited: 'Trop de requêtes : réessayez plus tard.',
    service_unavailable: 'Service momentanément indisponible : réessayez plus tard.',
    internal_server_error: 'Une erreur interne est survenue.',
    insufficient_stock: 'Stock insuffisant à l’emplacement d’origine.',
    invalid_transition: 'Ce changement de statut n’est pas autorisé.',
    check_violation: 'Une valeur enfreint une règle de cet enregistrement.',
    missing_value: 'Une valeur obligatoire est absente.',
    invalid_value: 'Une valeur est invalide, hors limites ou trop longue pour son champ.',
    concurrent_update: 'Une modification concurrente a eu lieu : réessayez.',
    task_stalled: 'Le processus qui exécutait cette tâche s’est arrêté.',
  },
};

/**
 * The detail of an error in `language`. Validation details are translated message by message
 * (see `translateValidationDetail`; `context` names the field and class-validator's rules).
 */
export function translateDetail(
  code: string,
  detail: string,
  language: Language,
  context: { field?: string; rules?: string[] } = {},
): string {
  if (language === 'en') return detail;
  if (code === 'validation_error') return translateValidationDetail(detail, language, context);
  // Nest's ParseUUIDPipe on a path id (`Validation failed (uuid is expected)`).
  if (code === 'bad_request' && /uuid is expected/.test(detail))
    return 'Identifiant invalide : un UUID est attendu.';
  return DETAILS[language][code] ?? detail;
}
