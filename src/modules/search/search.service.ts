import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../core/auth';
import { CoreErrors } from '../../core/http';
import { SEARCH_BACKEND, SEARCH_TYPES, SEARCHABLE, SearchBackend, SearchType } from './searchable';
import type { SearchResultDto } from './dto/search.dto';

const DEFAULT_LIMIT = 20;

/** Search across types, limited to what the caller may read in the active organization. */
@Injectable()
export class SearchService {
  constructor(@Inject(SEARCH_BACKEND) private readonly backend: SearchBackend) {}

  async search(
    orgId: string,
    principal: Principal,
    q: string,
    requested: SearchType[] | undefined,
    limit = DEFAULT_LIMIT,
  ): Promise<SearchResultDto> {
    const readable = (type: SearchType) => principal.permissions.has(SEARCHABLE[type].read);
    let types: SearchType[];
    if (requested) {
      const missing = requested.filter((type) => !readable(type)).map((t) => SEARCHABLE[t].read);
      if (missing.length > 0) {
        throw CoreErrors.forbidden(`Missing permission: ${missing.join(', ')}`, { missing });
      }
      types = requested;
    } else {
      types = SEARCH_TYPES.filter(readable);
      if (types.length === 0) {
        throw CoreErrors.forbidden('You may read none of the searchable types', {
          missing: SEARCH_TYPES.map((t) => SEARCHABLE[t].read),
        });
      }
    }
    const { items, correctedQuery } = await this.backend.search(orgId, q, types, limit);
    return { items, correctedQuery, types, backend: this.backend.name };
  }
}
