import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * The only SQL on `content_translations` (one row per organization × entity type × entity ×
 * language, `fields` a JSON object of field → text). Every method takes the caller's transaction
 * manager (the tenant transaction of `TenantDatabase.run`) and the organization id first, puts the
 * organization id in every WHERE and never opens a transaction.
 */
@Injectable()
export class ContentTranslationsRepository {
  /** The entity's translations, by language (sorted), each its field → text object. */
  async findForEntity(
    manager: EntityManager,
    orgId: string,
    type: string,
    id: string,
  ): Promise<Record<string, Record<string, string>>> {
    const rows = await manager.query<{ language: string; fields: Record<string, string> }[]>(
      `SELECT language, fields FROM content_translations
        WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3 ORDER BY language`,
      [orgId, type, id],
    );
    return Object.fromEntries(rows.map((row) => [row.language, row.fields]));
  }

  /** Replaces all of the entity's translations with `translations` (language → fields). */
  async replaceForEntity(
    manager: EntityManager,
    orgId: string,
    type: string,
    id: string,
    translations: Record<string, Record<string, string>>,
  ): Promise<void> {
    await manager.query(
      `DELETE FROM content_translations WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3`,
      [orgId, type, id],
    );
    const languages = Object.keys(translations);
    if (languages.length === 0) return;
    await manager.query(
      `INSERT INTO content_translations (organization_id, entity_type, entity_id, language, fields)
       SELECT $1, $2, $3, t.language, t.fields
         FROM unnest($4::text[], $5::jsonb[]) AS t(language, fields)`,
      [
        orgId,
        type,
        id,
        languages,
        languages.map((language) => JSON.stringify(translations[language])),
      ],
    );
  }

  /** The `language` translations of the given entities of `type` (entities without one are absent). */
  findInLanguage(
    manager: EntityManager,
    orgId: string,
    type: string,
    language: string,
    ids: string[],
  ): Promise<{ entity_id: string; fields: Record<string, string> }[]> {
    return manager.query<{ entity_id: string; fields: Record<string, string> }[]>(
      `SELECT entity_id, fields FROM content_translations
        WHERE organization_id = $1 AND entity_type = $2 AND language = $3 AND entity_id = ANY($4::uuid[])`,
      [orgId, type, language, ids],
    );
  }
}
