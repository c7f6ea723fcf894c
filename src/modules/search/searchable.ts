import type { PermissionCode } from '../access';

export const SEARCH_TYPES = ['products', 'contacts'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/**
 * How a searchable table is read: its title and subtitle (shown in results and indexed with most
 * weight), its body text, the condition for a live row, and who may read it.
 */
export interface Searchable {
  table: string;
  title: string;
  subtitle: string;
  body: string;
  live: string;
  read: PermissionCode;
}

export const SEARCHABLE: Record<SearchType, Searchable> = {
  products: {
    table: 'products',
    title: 'name',
    subtitle: 'sku::text',
    body: 'description',
    live: 'deleted_at IS NULL',
    read: 'products:read',
  },
  contacts: {
    table: 'contacts',
    title: 'display_name',
    subtitle: `concat_ws(' ', company_name, tax_number)`,
    body: `concat_ws(' ', first_name, last_name, notes)`,
    live: 'TRUE',
    read: 'contacts:read',
  },
};

/** One result: what it is, where it is, and the title with matches marked `<mark>…</mark>`. */
export interface SearchHit {
  type: SearchType;
  id: string;
  title: string;
  subtitle: string | null;
  highlight: string;
  score: number;
}

export interface SearchAnswer {
  items: SearchHit[];
  /** The query actually run when typos were corrected ("wireles" → "wireless"), else null. */
  correctedQuery: string | null;
}

/** A row changed: index it again, or drop it when it is gone. */
export interface SearchChange {
  organizationId: string;
  type: SearchType;
  id: string;
}

/** Where search runs: PostgreSQL full-text (default) or Elasticsearch 8. */
export interface SearchBackend {
  readonly name: 'postgres' | 'elasticsearch';
  /** Hits of `organizationId` only: the organization is a filter inside the query itself. */
  search(
    organizationId: string,
    q: string,
    types: SearchType[],
    limit: number,
  ): Promise<SearchAnswer>;
  /** Brings the index up to date with changed rows (from the outbox). Idempotent. */
  apply(changes: SearchChange[]): Promise<void>;
  /** Rebuilds the index of `type` beside the live one and swaps it in; searches keep answering. */
  reindex(type: SearchType, progress?: (indexed: number) => void): Promise<number>;
  /** Creates what a fresh installation lacks (Elasticsearch indices and aliases). */
  prepare?(): Promise<void>;
}

export const SEARCH_BACKEND = Symbol('SEARCH_BACKEND');
