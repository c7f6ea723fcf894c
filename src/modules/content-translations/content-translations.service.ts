import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuditContext, Principal } from '../../core/auth';
import { FieldIssue, NotFoundError, ValidationFailedError, CoreErrors } from '../../core/http';
import { SUPPORTED_LANGUAGES, type Language } from '../../core/i18n';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { ContentTranslationsDto } from './dto/content-translations.dto';
import { ContentTranslationsRepository } from './content-translations.repository';
import { TRANSLATABLE, TranslatableType } from './translatable';
import { TranslatableTargets } from './translatable-targets';

type Translations = Record<string, Record<string, string>>;

/**
 * Translations of content fields (a product's name and description, ...) per language. The
 * entity's own columns hold the organization's default language; a response in another language
 * takes each field from its translation when there is one, and from the entity otherwise.
 */
@Injectable()
export class ContentTranslationsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: ContentTranslationsRepository,
    private readonly audit: AuditService,
    private readonly targets: TranslatableTargets,
  ) {}

  private typeOf(type: string, principal: Principal, need: 'read' | 'manage'): TranslatableType {
    const definition = Object.hasOwn(TRANSLATABLE, type) ? TRANSLATABLE[type] : undefined;
    if (!definition) {
      throw new ValidationFailedError([
        {
          parameter: 'type',
          detail: `type must be one of: ${Object.keys(TRANSLATABLE).join(', ')}`,
        },
      ]);
    }
    // Reading or changing a translation is reading or changing the entity itself.
    if (!principal.permissions.has(definition[need])) {
      throw CoreErrors.forbidden(`Missing permission: ${definition[need]}`, {
        missing: [definition[need]],
      });
    }
    return definition;
  }

  /** 404 unless the owner's registered check ({@link TranslatableTargets}) finds the entity. */
  private async assertExists(
    manager: EntityManager,
    type: string,
    orgId: string,
    id: string,
  ): Promise<void> {
    if (!(await this.targets.exists(manager, orgId, type, id))) {
      throw new NotFoundError('Entity');
    }
  }

  private async load(
    manager: EntityManager,
    orgId: string,
    type: string,
    id: string,
  ): Promise<Translations> {
    return this.repository.findForEntity(manager, orgId, type, id);
  }

  private view(type: string, id: string, translations: Translations): ContentTranslationsDto {
    return { type, id, translations, fields: Object.keys(TRANSLATABLE[type].fields) };
  }

  get(orgId: string, principal: Principal, type: string, id: string) {
    this.typeOf(type, principal, 'read');
    return this.db.read(orgId, async (manager) => {
      await this.assertExists(manager, type, orgId, id);
      return this.view(type, id, await this.load(manager, orgId, type, id));
    });
  }

  async put(
    orgId: string,
    principal: Principal,
    type: string,
    id: string,
    translations: Translations,
    context: AuditContext,
  ): Promise<ContentTranslationsDto> {
    const definition = this.typeOf(type, principal, 'manage');
    const issues = validate(definition, translations);
    if (issues.length > 0) throw new ValidationFailedError(issues);
    return this.db.run(orgId, async (manager) => {
      await this.assertExists(manager, type, orgId, id);
      const before = await this.load(manager, orgId, type, id);
      const after = await this.audit.recordUpdate(
        manager,
        { translations: before },
        ['translations'],
        async () => {
          const languages = Object.keys(translations).filter(
            (language) => Object.keys(translations[language]).length > 0,
          );
          await this.repository.replaceForEntity(
            manager,
            orgId,
            type,
            id,
            Object.fromEntries(languages.map((language) => [language, translations[language]])),
          );
          return { translations: await this.load(manager, orgId, type, id) };
        },
        {
          organizationId: orgId,
          action: 'update',
          entityType: `${type}.translations`,
          entityId: id,
          context,
          describe: (from, to) => ({
            translations: { from: from.translations, to: to.translations },
          }),
        },
      );
      return this.view(type, id, after.translations);
    });
  }

  /**
   * Puts `rows` (entities of `type` read in this transaction) into `language`: each translated
   * field replaces the entity's own value; missing translations fall back to it. One statement.
   */
  async translate<T extends { id: string }>(
    manager: EntityManager,
    orgId: string,
    type: string,
    rows: T[],
    language: Language,
  ): Promise<T[]> {
    if (rows.length === 0) return rows;
    const found = await this.repository.findInLanguage(
      manager,
      orgId,
      type,
      language,
      rows.map((row) => row.id),
    );
    if (found.length === 0) return rows;
    const byId = new Map(found.map((row) => [row.entity_id, row.fields]));
    const fields = Object.keys(TRANSLATABLE[type].fields);
    return rows.map((row) => {
      const translated = byId.get(row.id);
      if (!translated) return row;
      const copy = { ...row } as Record<string, unknown>;
      for (const field of fields) {
        if (typeof translated[field] === 'string') copy[field] = translated[field];
      }
      return copy as T;
    });
  }
}

/** Languages we answer in, fields the type declares, strings within the entity's own limits. */
export function validate(definition: TranslatableType, translations: Translations): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [language, fields] of Object.entries(translations)) {
    const at = `/translations/${language}`;
    if (!(SUPPORTED_LANGUAGES as readonly string[]).includes(language)) {
      issues.push({
        pointer: at,
        detail: `language must be one of: ${SUPPORTED_LANGUAGES.join(', ')}`,
      });
      continue;
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      issues.push({ pointer: at, detail: `${language} must be an object of field → text` });
      continue;
    }
    for (const [field, value] of Object.entries(fields)) {
      const max = Object.hasOwn(definition.fields, field) ? definition.fields[field] : undefined;
      if (max === undefined) {
        issues.push({
          pointer: `${at}/${field}`,
          detail: `${field} cannot be translated; translatable: ${Object.keys(definition.fields).join(', ')}`,
        });
      } else if (typeof value !== 'string' || value.length < 1 || value.length > max) {
        issues.push({
          pointer: `${at}/${field}`,
          detail: `${field} must be a text of 1 to ${max} characters`,
        });
      }
    }
  }
  return issues;
}
