import type { Client } from '@elastic/elasticsearch';
import { TenantDatabase } from '../../core/tenancy';
import { MATCH_START, MATCH_STOP, toHighlightHtml, withoutSentinels } from './highlight';
import {
  SEARCH_TYPES,
  SEARCHABLE,
  SearchAnswer,
  SearchBackend,
  SearchChange,
  SearchHit,
  SearchType,
} from './searchable';

interface DocumentRow {
  id: string;
  organization_id: string;
  title: string;
  subtitle: string | null;
  body: string | null;
  version: number;
}

interface SearchDocument {
  organizationId: string;
  title: string;
  subtitle: string | null;
  body: string | null;
}

const BATCH = 1_000;

/**
 * Text is analysed by `folded` at index and at query time: standard tokenizer, lowercase, then
 * `asciifolding` (é→e, ß→ss, Æ→ae), the counterpart of PostgreSQL's `search_fold`. Documents and
 * queries are NFC-normalised in Node first (asciifolding folds composed letters, not a lone
 * combining mark). Static analysis settings: an existing index gets them through `reindex`.
 */
const SETTINGS = {
  analysis: {
    analyzer: {
      folded: {
        type: 'custom' as const,
        tokenizer: 'standard',
        filter: ['lowercase', 'asciifolding'],
      },
    },
  },
};

const MAPPINGS = {
  dynamic: 'strict' as const,
  properties: {
    organizationId: { type: 'keyword' as const },
    title: { type: 'search_as_you_type' as const, analyzer: 'folded' },
    subtitle: { type: 'text' as const, analyzer: 'folded' },
    body: { type: 'text' as const, analyzer: 'folded' },
  },
};

/** Stored text as indexed: NFC, without the highlight sentinels (see highlight.ts). */
const indexed = <T extends string | null>(text: T): T =>
  (text === null ? null : withoutSentinels(text.normalize('NFC'))) as T;

const toDocument = (row: DocumentRow): SearchDocument => ({
  organizationId: row.organization_id,
  title: indexed(row.title),
  subtitle: indexed(row.subtitle),
  body: indexed(row.body),
});

/**
 * Elasticsearch 8. One index per type behind an alias (`<prefix>-products`); every query filters
 * on `organizationId` inside the bool query, never after. Text is accent-folded (analyzer `folded`)
 * and NFC-normalised; highlights are HTML-escaped with only `<mark>` added (highlight.ts). Documents carry the row's version as an
 * external version, so a late outbox batch cannot overwrite a newer document. Reindexing builds a
 * new concrete index from PostgreSQL, then moves the alias in one atomic `updateAliases` call.
 */
export class ElasticsearchSearchBackend implements SearchBackend {
  readonly name = 'elasticsearch';

  constructor(
    private readonly client: Client,
    /** Reads the documents' rows of every organization (`runAsSystem('search-index')`). */
    private readonly db: TenantDatabase,
    private readonly prefix: string,
  ) {}

  alias(type: SearchType): string {
    return `${this.prefix}-${type}`;
  }

  async search(
    organizationId: string,
    q: string,
    types: SearchType[],
    limit: number,
  ): Promise<SearchAnswer> {
    const response = await this.client.search<SearchDocument>({
      index: types.map((type) => this.alias(type)),
      size: limit,
      query: {
        bool: {
          filter: [{ term: { organizationId } }],
          must: [
            {
              multi_match: {
                query: q.normalize('NFC'),
                type: 'bool_prefix',
                fields: ['title^3', 'title._2gram', 'title._3gram', 'subtitle^2', 'body'],
                fuzziness: 'AUTO',
              },
            },
          ],
        },
      },
      // Sentinels, not tags: the text is HTML-escaped here before they become <mark>.
      highlight: {
        pre_tags: [MATCH_START],
        post_tags: [MATCH_STOP],
        fields: { title: { number_of_fragments: 0 } },
      },
    });
    const items = response.hits.hits.flatMap((hit): SearchHit[] => {
      const type = types.find((t) => hit._index.startsWith(`${this.alias(t)}-`));
      if (!type || !hit._source || !hit._id) return [];
      return [
        {
          type,
          id: hit._id,
          title: hit._source.title,
          subtitle: hit._source.subtitle,
          highlight: toHighlightHtml(
            hit.highlight?.title?.[0] ?? withoutSentinels(hit._source.title),
          ),
          score: hit._score ?? 0,
        },
      ];
    });
    // Fuzzy matching is built into the query: nothing is rewritten.
    return { items, correctedQuery: null };
  }

  private async rows(type: SearchType, where: string, params: unknown[]): Promise<DocumentRow[]> {
    const s = SEARCHABLE[type];
    return this.db.runAsSystem('search-index', (manager) =>
      manager.query<DocumentRow[]>(
        `SELECT id, organization_id, ${s.title} AS title, ${s.subtitle} AS subtitle, ${s.body} AS body, version
           FROM ${s.table} WHERE ${s.live} AND ${where}`,
        params,
      ),
    );
  }

  async apply(changes: SearchChange[]): Promise<void> {
    for (const type of new Set(changes.map((change) => change.type))) {
      const ids = [...new Set(changes.filter((c) => c.type === type).map((c) => c.id))];
      const live = await this.rows(type, 'id = ANY($1::uuid[])', [ids]);
      const found = new Set(live.map((row) => row.id));
      const gone = ids.filter((id) => !found.has(id));
      await this.bulk(this.alias(type), live, gone);
    }
  }

  private async bulk(index: string, rows: DocumentRow[], deletes: string[] = []): Promise<void> {
    if (rows.length === 0 && deletes.length === 0) return;
    const operations: object[] = [];
    for (const row of rows) {
      operations.push(
        {
          index: { _index: index, _id: row.id, version: row.version, version_type: 'external_gte' },
        },
        toDocument(row),
      );
    }
    for (const id of deletes) operations.push({ delete: { _index: index, _id: id } });
    const response = await this.client.bulk({ operations, refresh: false });
    if (response.errors) {
      const failed = response.items.filter((item) => {
        const result = item.index ?? item.delete;
        // 404: already gone; 409: a newer version is there already.
        return result?.error && result.status !== 404 && result.status !== 409;
      });
      if (failed.length > 0) {
        throw new Error(`Elasticsearch bulk: ${failed.length} operations failed`);
      }
    }
  }

  /** Creates the first index behind each alias when there is none (fresh cluster). */
  async prepare(): Promise<void> {
    for (const type of SEARCH_TYPES) {
      if (await this.client.indices.existsAlias({ name: this.alias(type) })) continue;
      await this.client.indices.create({
        index: `${this.alias(type)}-${Date.now()}`,
        settings: SETTINGS,
        mappings: MAPPINGS,
        aliases: { [this.alias(type)]: {} },
      });
    }
  }

  async reindex(type: SearchType, progress?: (indexed: number) => void): Promise<number> {
    const alias = this.alias(type);
    const startedAt = new Date();
    const index = `${alias}-${startedAt.getTime()}`;
    await this.client.indices.create({
      index,
      mappings: MAPPINGS,
      settings: { ...SETTINGS, refresh_interval: '-1' },
    });
    let indexed = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.rows(type, `id > $1 ORDER BY id LIMIT ${BATCH}`, [after]);
      if (rows.length === 0) break;
      await this.bulk(index, rows);
      indexed += rows.length;
      after = rows[rows.length - 1].id;
      progress?.(indexed);
    }
    await this.client.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
    await this.client.indices.refresh({ index });
    const current = (await this.client.indices.existsAlias({ name: alias }))
      ? Object.keys(await this.client.indices.getAlias({ name: alias }))
      : [];
    await this.client.indices.updateAliases({
      actions: [
        ...current.map((old) => ({ remove: { index: old, alias } })),
        { add: { index, alias } },
      ],
    });
    // Rows changed while the copy ran went to the old index through the alias: replay them.
    const changed = await this.rows(type, 'updated_at >= $1', [startedAt]);
    await this.bulk(alias, changed);
    if (current.length > 0) await this.client.indices.delete({ index: current });
    return indexed;
  }
}
