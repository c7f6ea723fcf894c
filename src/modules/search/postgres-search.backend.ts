import { DataSource, EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { toHighlightHtml } from './highlight';
import {
  SEARCH_TYPES,
  SEARCHABLE,
  SearchAnswer,
  SearchBackend,
  SearchChange,
  SearchHit,
  SearchType,
} from './searchable';

interface HitRow {
  id: string;
  title: string;
  subtitle: string | null;
  highlight: string;
  score: number;
}

/**
 * Matches ranked per type. A query matching more rows than this ranks the first ones found: ranking
 * every one of 30,000 matches costs ~50 ms at 1M rows for no visible gain in the first page.
 */
const RANKED_CANDIDATES = 2_000;
/** A word is corrected to a known one at least this similar (pg_trgm similarity). */
const TYPO_SIMILARITY = 0.3;
const TERM = /^[\p{L}]{3,}$/u;

/**
 * The title words of rows, for `search_terms` (typo correction): folded like the vectors
 * (`search_fold`), alphabetic, 3 letters or more.
 */
const termsSql = (type: SearchType, where: string) => {
  const s = SEARCHABLE[type];
  return `INSERT INTO search_terms (organization_id, word)
          SELECT DISTINCT t.organization_id, w.word
            FROM ${s.table} t, unnest(tsvector_to_array(to_tsvector('simple', search_fold(t.${s.title})))) AS w(word)
           WHERE ${where} AND w.word ~ '^[[:alpha:]]{3,}$'
          ON CONFLICT DO NOTHING`;
};

/**
 * PostgreSQL full-text search. Rows carry a generated `search_vector` (current at commit) under a
 * GIN index. Candidates come from `search_candidates()` (the index, for the transaction's
 * organization only) and are joined back to their rows under row-level security. The query is
 * `websearch_to_tsquery` syntax with every term a prefix ("wireless keyb" finds "Wireless
 * Keyboard"), ranked by `ts_rank_cd`, titles highlighted by `search_headline` (ts_headline with
 * sentinels, then HTML-escaped: see highlight.ts). Text and query are folded alike (`search_fold`:
 * NFC + unaccent), so accents and Unicode forms do not matter. When nothing matches,
 * each unknown word is replaced by the most similar word of the organization's titles
 * (`search_terms`, trigram index) and the query runs again ("wireles keybord" → "wireless keyboard").
 * The outbox keeps `search_terms` current.
 */
export class PostgresSearchBackend implements SearchBackend {
  readonly name = 'postgres';

  /**
   * `db` for every query (searches under the tenant's row-level security; indexing across
   * tenants as `runAsSystem('search-index')`); `dataSource` only for `REINDEX INDEX CONCURRENTLY`,
   * which PostgreSQL refuses inside a transaction block.
   */
  constructor(
    private readonly db: TenantDatabase,
    private readonly dataSource: DataSource,
  ) {}

  search(organizationId: string, query: string, types: SearchType[], limit: number) {
    // NFC here too (search_fold does it in SQL) so typo correction sees composed letters.
    const q = query.normalize('NFC');
    return this.db.read(organizationId, async (manager): Promise<SearchAnswer> => {
      const items = await this.match(manager, organizationId, q, types, limit);
      if (items.length > 0) return { items, correctedQuery: null };
      const corrected = await this.correct(manager, organizationId, q);
      if (!corrected) return { items, correctedQuery: null };
      return {
        items: await this.match(manager, organizationId, corrected, types, limit),
        correctedQuery: corrected,
      };
    });
  }

  private async match(
    manager: EntityManager,
    organizationId: string,
    q: string,
    types: SearchType[],
    limit: number,
  ): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    for (const type of types) {
      const s = SEARCHABLE[type];
      const rows = await manager.query<HitRow[]>(
        `WITH q AS (SELECT search_prefix_query($2) AS query)
         SELECT ranked.id, ranked.title, ranked.subtitle, ranked.score,
                search_headline(ranked.title, q.query) AS highlight
           FROM (SELECT t.id, t.${s.title} AS title, ${s.subtitle} AS subtitle,
                        ts_rank_cd(t.search_vector, q.query) AS score
                   FROM q, search_candidates('${type}', q.query, ${RANKED_CANDIDATES}) c
                   JOIN ${s.table} t ON t.id = c.id
                  WHERE t.organization_id = $1 AND ${s.live}
                  ORDER BY score DESC, t.id
                  LIMIT $3) ranked, q
          ORDER BY ranked.score DESC, ranked.id`,
        [organizationId, q, limit],
      );
      hits.push(
        ...rows.map((row) => ({
          ...row,
          type,
          highlight: toHighlightHtml(row.highlight),
          score: Number(row.score),
        })),
      );
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** `q` with each word that starts no known word replaced by the closest known one; null if none. */
  private async correct(
    manager: EntityManager,
    organizationId: string,
    q: string,
  ): Promise<string | null> {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const candidates = words.filter((word) => TERM.test(word));
    if (candidates.length === 0) return null;
    // The words are folded like `search_terms` ("crém" is looked up as "crem").
    const rows = await manager.query<{ term: string; word: string | null }[]>(
      `SELECT t.term, best.word
         FROM unnest($2::text[]) AS t(term),
              LATERAL (SELECT search_fold(t.term) AS folded) f
         LEFT JOIN LATERAL (
           SELECT w.word
             FROM search_terms w
            WHERE w.organization_id = $1 AND similarity(w.word, f.folded) >= $3
              AND w.word % f.folded
              AND NOT EXISTS (SELECT 1 FROM search_terms k
                               WHERE k.organization_id = $1 AND k.word LIKE f.folded || '%')
            ORDER BY similarity(w.word, f.folded) DESC, w.word
            LIMIT 1) best ON true`,
      [organizationId, candidates, TYPO_SIMILARITY],
    );
    const replacement = new Map(
      rows.filter((row) => row.word !== null).map((row) => [row.term, row.word as string]),
    );
    if (replacement.size === 0) return null;
    return words.map((word) => replacement.get(word) ?? word).join(' ');
  }

  /** The vectors are generated by PostgreSQL; what is left is learning the new title words. */
  async apply(changes: SearchChange[]): Promise<void> {
    await this.db.runAsSystem('search-index', async (manager) => {
      for (const type of new Set(changes.map((change) => change.type))) {
        const ids = [...new Set(changes.filter((c) => c.type === type).map((c) => c.id))];
        await manager.query(termsSql(type, 't.id = ANY($1::uuid[])'), [ids]);
      }
    });
  }

  /**
   * REINDEX CONCURRENTLY builds the new GIN index beside the old one and swaps them; the words for
   * typo correction are rebuilt in one transaction (readers see the old set until it commits).
   */
  async reindex(type: SearchType): Promise<number> {
    const s = SEARCHABLE[type];
    await this.dataSource.query(`REINDEX INDEX CONCURRENTLY "ix_${s.table}_search"`);
    return this.db.runAsSystem('search-index', async (manager) => {
      await manager.query('DELETE FROM search_terms');
      for (const each of SEARCH_TYPES) await manager.query(termsSql(each, 'TRUE'));
      const [{ n }] = await manager.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${s.table} WHERE ${s.live}`,
      );
      return n;
    });
  }
}
