import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Languages the API answers in (error details, mail); anything else falls back to English. */
export const SUPPORTED_LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

const supported = (tag: string | undefined | null): Language | undefined => {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(base ?? '')
    ? (base as Language)
    : undefined;
};

/** `Accept-Language` tags by preference (q-values, then order); q=0 means "not this one". */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(
      (entry) => entry.tag !== '' && entry.tag !== '*' && entry.q > 0 && !Number.isNaN(entry.q),
    )
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/**
 * The language of a response: `?lang=` → the user's preference → `Accept-Language` (q-values) →
 * the organization's default → English. Each step only counts when the language is supported.
 */
export function resolveLanguage(sources: {
  query?: string;
  userLanguage?: string | null;
  acceptLanguage?: string;
  organizationLanguage?: string | null;
}): Language {
  return (
    supported(sources.query) ??
    supported(sources.userLanguage) ??
    parseAcceptLanguage(sources.acceptLanguage).map(supported).find(Boolean) ??
    supported(sources.organizationLanguage) ??
    DEFAULT_LANGUAGE
  );
}

type WithPrincipal = FastifyRequest & {
  principal?: { language?: string | null; organizationLanguage?: string | null };
};

/** The language of this request (the principal, when the guard has run, brings the user's). */
export function languageOf(request: FastifyRequest): Language {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const { principal } = request as WithPrincipal;
  const header = request.headers['accept-language'];
  return resolveLanguage({
    query: typeof query.lang === 'string' ? query.lang : undefined,
    userLanguage: principal?.language,
    acceptLanguage: Array.isArray(header) ? header.join(',') : header,
    organizationLanguage: principal?.organizationLanguage,
  });
}

/**
 * The language content must be translated into for this request, or null when the answer is the
 * content's own language (the organization's default, in which its rows are written).
 */
export function contentLanguageOf(request: FastifyRequest): Language | null {
  const language = languageOf(request);
  const base = supported((request as WithPrincipal).principal?.organizationLanguage);
  return language === (base ?? DEFAULT_LANGUAGE) ? null : language;
}

/** `@ContentLanguage()`: see contentLanguageOf. */
export const ContentLanguage = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Language | null =>
    contentLanguageOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** `@RequestLanguage()`: the language of this request's answer (see languageOf). */
export const RequestLanguage = createParamDecorator((_: unknown, ctx: ExecutionContext): Language =>
  languageOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
