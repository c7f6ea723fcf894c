import {
  applyDecorators,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Type,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
} from '@nestjs/swagger';
import { RequirePermissions } from '../auth/decorators';
import { ApiListQuery } from './api-list-query.decorator';
import { ErrorEnvelopeDto } from './error-envelope.dto';
import { ListDefinition } from './list-query';
import { LocationOf } from './location.interceptor';
import { PageOf } from './page.dto';

/**
 * Composite route decorators: each is exactly the decorator stack a controller used to spell out
 * for one kind of route, so the guards (permission metadata) and the OpenAPI document stay byte for
 * byte the same. Decorators written in a stack apply bottom-up, while `applyDecorators` applies its
 * arguments in order, so `stack` takes them as written (top first) and applies them bottom first:
 * the response map and every other merged metadata is built in the original order. A decorator
 * written below a composite (e.g. `@ApiConflictResponse`) still applies before it, as before.
 *
 * `permission` is one `resource:action` code (`@RequirePermissions`); `summary` is the operation's
 * OpenAPI summary; `type` is the response body's DTO (an array `[Dto]` for a list without paging).
 */
const stack = (...decorators: (MethodDecorator | ClassDecorator | PropertyDecorator)[]) =>
  applyDecorators(...decorators.reverse());

type Body = Type<unknown> | [Type<unknown>];

/** `GET <path>` (default: one resource, `:id`) answering 200 with `type`. */
export const ReadRoute = (permission: string, summary: string, type: Body, path = ':id') =>
  stack(
    Get(path),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
  );

/**
 * `GET <path>` (default: the collection) of a paged list: the list grammar from `list`, 200 with a
 * page of `item`.
 */
export const ListRoute = (
  permission: string,
  summary: string,
  list: ListDefinition,
  item: Type<unknown>,
  path = '',
) =>
  stack(
    Get(path),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiListQuery(list),
    ApiOkResponse({ type: PageOf(item) }),
  );

/**
 * `POST <path>` (default: the collection) creating a resource: 201 with `type` and
 * `Location: /<collection>/<id>`.
 */
export const CreateRoute = (
  collection: string,
  permission: string,
  summary: string,
  type: Type<unknown>,
  path = '',
) =>
  stack(
    Post(path),
    LocationOf(collection),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiCreatedResponse({ type }),
  );

/** `POST <path>` performing an action on a resource (not a creation): 200 with `type`. */
export const ActionRoute = (path: string, permission: string, summary: string, type: Body) =>
  stack(
    Post(path),
    HttpCode(HttpStatus.OK),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
  );

/** `PATCH <path>` (default: `:id`) honouring `If-Match` (412 when stale): 200 with `type`. */
export const UpdateRoute = (permission: string, summary: string, type: Body, path = ':id') =>
  stack(
    Patch(path),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
    ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto }),
  );

/** `DELETE <path>` (default: `:id`): 204 with no body. */
export const DeleteRoute = (permission: string, summary: string, path = ':id') =>
  stack(
    Delete(path),
    HttpCode(HttpStatus.NO_CONTENT),
    RequirePermissions(permission),
    ApiOperation({ summary }),
    ApiNoContentResponse(),
  );
