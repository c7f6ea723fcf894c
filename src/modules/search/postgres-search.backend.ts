import { DataSource } from 'typeorm';
import { withTenant } from '../../core/tenancy';
import { SEARCHABLE, SearchBackend, SearchChange, SearchHit, SearchType } from './searchable';

interface HitRow {
  id: string;
  title: string;
  subtitle: string | null;
  highlight: string;
  score: number;
}

/** Similarity a misspelt word needs to still match a title word (pg_trgm word similarity). */
const TYPO_THRESHOLD = 0.4;

/**
 * PostgreSQL full-text search. Rows carry a generated `search_vector` (so the index is always
 * current: the outbox has nothing to do here) under a GIN index led by organization_id. The query
 * is `websearch_to_tsquery` syntax with every term a prefix ("wireless keyb" finds "Wireless
 * Keyboard"), ranked by `ts_rank_cd`, titles highlighted with `ts_headline`. When nothing matches,
 * a trigram word-similarity pass on titles forgives typos ("wireles keybord").
 */
export class PostgresSearchBackend implements SearchBackend {
  readonly name = 'postgres';

  constructor(private readonly dataSource: DataSource) {}

  search(organizationId: string, q: string, types: SearchType[], limit: number) {
    return withTenant(this.dataSource, organizationId, async (manager) => {
      const hits: SearchHit[] = [];
      for (const type of types) {
        const s = SEARCHABLE[type];
        const rows = await manager.query<HitRow[]>(
          `WITH q AS (SELECT search_prefix_query($2) AS query)
           SELECT hits.id, hits.title, hits.subtitle, hits.score,
                  ts_headline('simple', hits.title, q.query,
                              'StartSel=<mark>, StopSel=</mark>, HighlightAll=true') AS highlight
             FROM (SELECT t.id, t.${s.title} AS title, ${s.subtitle} AS subtitle,
                          ts_rank_cd(t.search_vector, q.query) AS score
                     FROM ${s.table} t, q
                    WHERE t.organization_id = $1 AND ${s.live} AND t.search_vector @@ q.query
                    ORDER BY score DESC, t.id
                    LIMIT $3) hits, q
            ORDER BY hits.score DESC, hits.id`,
          [organizationId, q, limit],
        );
        hits.push(...rows.map((row) => ({ ...row, type, score: Number(row.score) })));
      }
      if (hits.length === 0) {
        await manager.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [
          String(TYPO_THRESHOLD),
        ]);
        for (const type of types) {
          const s = SEARCHABLE[type];
          const rows = await manager.query<HitRow[]>(
            `SELECT t.id, t.${s.title} AS title, ${s.subtitle} AS subtitle, t.${s.title} AS highlight,
                    word_similarity($2, t.${s.title}) AS score
               FROM ${s.table} t
              WHERE t.organization_id = $1 AND ${s.live} AND $2 <% t.${s.title}
              ORDER BY score DESC, t.id
              LIMIT $3`,
            [organizationId, q, limit],
          );
          hits.push(...rows.map((row) => ({ ...row, type, score: Number(row.score) })));
        }
      }
      return hits.sort((a, b) => b.score - a.score).slice(0, limit);
    });
  }

  /** The generated columns are already current when the row commits. */
  async apply(_changes: SearchChange[]): Promise<void> {}

  /** REINDEX CONCURRENTLY builds the new GIN index beside the old one and swaps them. */
  async reindex(type: SearchType): Promise<number> {
    const { table } = SEARCHABLE[type];
    await this.dataSource.query(`REINDEX INDEX CONCURRENTLY "ix_${table}_search"`);
    await this.dataSource.query(`REINDEX INDEX CONCURRENTLY "ix_${table}_title_trgm"`);
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${SEARCHABLE[type].live}`,
    );
    return n;
  }
}
