import { ParseUUIDPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Json = Record<string, unknown>;
/** A class (DTO or controller). */
export type Ctor = abstract new (...args: never[]) => unknown;
/** `RouteParamtypes` of @nestjs/common: BODY 3, QUERY 4, PARAM 5. */
/** `DECORATORS.API_PRODUCES` of @nestjs/swagger (its constants are not an exported subpath). */
const API_PRODUCES = 'swagger/apiProduces';
const BODY_ARG = 3;
const QUERY_ARG = 4;
const PARAM_ARG = 5;
type Handler = { prototype: object; method: string };

/** Set by `@IfMatch()` on the handler it decorates: the route honours `If-Match` (→ 412). */
export const IF_MATCH_METADATA = 'alees:if-match';

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The DTO classes known to class-validator, by name (Swagger names a class's schema after it).
 */
function validatedClasses(): Map<string, Ctor> {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<Ctor | string, ValidationMetadata[]>;
  };
  // Swagger names a schema after its class, so two classes of one name already share one schema;
  // the last registered wins (a module loaded twice — ts-node and jest can do that — registers the
  // same DTO twice, and dropping the name then made the document differ between runs).
  const result = new Map<string, Ctor>();
  for (const target of storage.validationMetadatas.keys()) {
    if (typeof target === 'function') result.set(target.name, target);
  }
  return result;
}

function metadataOf(target: Ctor): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
}

/** A JS RegExp as an ECMA-262 `pattern`; case-insensitive ones become explicit character classes. */
function patternOf(constraint: unknown, modifiers?: unknown): string | undefined {
  const regex =
    constraint instanceof RegExp
      ? constraint
      : typeof constraint === 'string'
        ? new RegExp(constraint, typeof modifiers === 'string' ? modifiers : undefined)
        : undefined;
  if (!regex) return undefined;
  if (!regex.flags.includes('i')) return regex.source;
  // Only letters outside escapes are folded: \d, \s, \w, \x41... keep their meaning.
  return regex.source.replace(/\\.|[a-zA-Z]/g, (token) =>
    token.startsWith('\\') ? token : `[${token.toLowerCase()}${token.toUpperCase()}]`,
  );
}

/**
 * Applies one class-validator constraint to a property schema (`each` constraints apply to the
 * array's items). Source: class-validator 0.15's decorator names (`ValidationMetadata.name`).
 */
function applyConstraint(property: Json, metadata: ValidationMetadata): void {
  const [first, second] = (metadata.constraints ?? []) as unknown[];
  let target = property;
  if (metadata.each && metadata.name !== 'isArray') {
    property.items = obj(property.items);
    target = property.items as Json;
  }
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
  switch (metadata.name) {
    case 'isUuid':
      target.type = 'string';
      target.format = 'uuid';
      break;
    case 'isString':
      target.type = 'string';
      break;
    case 'isEmail':
      target.type = 'string';
      target.format = 'email';
      break;
    case 'isInt':
      target.type = 'integer';
      break;
    case 'isNumber':
      target.type ??= 'number';
      break;
    case 'isBoolean':
      target.type = 'boolean';
      break;
    case 'isArray':
      property.type = 'array';
      property.items ??= {};
      break;
    case 'isObject':
      target.type = 'object';
      break;
    case 'isLength':
      if (num(first) !== undefined) target.minLength = first;
      if (num(second) !== undefined) target.maxLength = second;
      break;
    case 'minLength':
      target.minLength = first;
      break;
    case 'maxLength':
      target.maxLength = first;
      break;
    case 'matches': {
      const pattern = patternOf(first, second);
      if (pattern) target.pattern = pattern;
      break;
    }
    case 'isDateString':
    case 'isIso8601':
      target.type = 'string';
      target.format = 'date-time';
      break;
    case 'isTimeZone':
      // class-validator asks Intl; the document gives the shape and an example.
      target.type = 'string';
      target.pattern ??= '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$';
      target.example ??= 'Europe/Paris';
      break;
    case 'min':
      target.minimum = first;
      break;
    case 'max':
      target.maximum = first;
      break;
    case 'isIn':
      if (Array.isArray(first)) target.enum = [...(first as unknown[])];
      break;
    case 'isEnum': {
      const values = Object.entries(obj(first))
        .filter(([key]) => !/^\d+$/.test(key))
        .map(([, value]) => value);
      target.enum = values;
      break;
    }
    case 'arrayMinSize':
      property.minItems = first;
      break;
    case 'arrayMaxSize':
      property.maxItems = first;
      break;
    case 'arrayUnique':
      property.uniqueItems = true;
      break;
    default:
      break;
  }
}

/**
 * Rewrites a schema (a component, or the inline schema of a query parameter set) to state what
 * class-validator enforces on `target`: types, formats, lengths, patterns, enums, bounds,
 * required and nullable (`@IsOptional` lets `null` through), and — for request bodies, where the
 * ValidationPipe forbids unknown fields — `additionalProperties: false`.
 */
export function applyValidationToSchema(schema: Json, target: Ctor, closed: boolean): void {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadataOf(target)) {
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }
  const properties = obj(schema.properties);
  const required = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
  for (const [name, list] of byProperty) {
    const property = obj(properties[name]);
    properties[name] = property;
    // `@IsOptional` skips undefined and null; `@ValidateIf` may skip the property too.
    const conditional = list.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const isOptional = list.some((m) => m.name === 'isOptional');
    if (conditional) required.delete(name);
    else if (list.some((m) => m.type === ValidationTypes.CUSTOM_VALIDATION)) required.add(name);
    // A composed schema (`anyOf`/`oneOf`) says null in its branches: `nullable` needs a `type`.
    const composed = property.$ref || property.allOf || property.anyOf || property.oneOf;
    if (isOptional && !composed) property.nullable = true;
    for (const metadata of list) {
      if (metadata.type === ValidationTypes.CUSTOM_VALIDATION) applyConstraint(property, metadata);
    }
  }
  schema.type = 'object';
  schema.properties = properties;
  if (required.size > 0) schema.required = [...required];
  else delete schema.required;
  if (closed) schema.additionalProperties = false;
}

/** Every `$ref`'d component name reachable from `root`. */
function refsOf(root: unknown, components: Json, seen = new Set<string>()): Set<string> {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!seen.has(name)) {
          seen.add(name);
          walk(components[name]);
        }
      } else walk(value);
    }
  };
  walk(root);
  return seen;
}

/** `controllerKey_methodKey` (the operationId scheme of `buildOpenApiDocument`) → its handler. */
export function handlersByOperationId(controllers: Ctor[]): Map<string, Handler> {
  const map = new Map<string, Handler>();
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      if (method === 'constructor' || typeof prototype[method] !== 'function') continue;
      map.set(`${controller.name.replace(/Controller$/, '')}_${method}`, { prototype, method });
    }
  }
  return map;
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/** The decorated arguments of a handler: `@Param`, `@Body`, `@Query`, with their types. */
function routeArgs(handler: Handler): { type: number; arg: RouteArg; metatype?: Ctor }[] {
  const raw = obj(
    Reflect.getMetadata(ROUTE_ARGS_METADATA, handler.prototype.constructor, handler.method),
  );
  const types = (Reflect.getMetadata('design:paramtypes', handler.prototype, handler.method) ??
    []) as Ctor[];
  return Object.entries(raw).map(([key, value]) => {
    const arg = value as RouteArg;
    return { type: Number(key.split(':')[0]), arg, metatype: types[arg.index] };
  });
}

const usesUuidPipe = (pipes: unknown[] | undefined): boolean =>
  (pipes ?? []).some((pipe) => pipe === ParseUUIDPipe || pipe instanceof ParseUUIDPipe);

/**
 * Makes the document as strict as the server, reading the handlers' metadata: path ids parsed by
 * `ParseUUIDPipe` get `format: uuid`; body and query DTOs get class-validator's constraints
 * (`applyValidationToSchema`); handlers with `@IfMatch()` are marked `x-if-match`. Returns the
 * operations that honour `If-Match`.
 */
export function enforceServerRules(document: OpenAPIObject, controllers: Ctor[]): void {
  const handlers = handlersByOperationId(controllers);
  const classes = validatedClasses();
  const components = obj(document.components?.schemas);
  // Bodies and query DTOs by their own name (`UpdateXDto extends PartialType(CreateXDto)` has no
  // metadata of its own: class-validator finds it through its parents).
  for (const handler of handlers.values()) {
    for (const { type, metatype } of routeArgs(handler)) {
      if ((type === BODY_ARG || type === QUERY_ARG) && metatype && metatype.name in components) {
        classes.set(metatype.name, metatype);
      }
    }
  }
  const bodySchemas = new Set<string>();
  for (const pathItem of Object.values(document.paths)) {
    for (const verb of HTTP_METHODS) {
      const operation = obj((pathItem as Json)[verb]);
      if (!operation.operationId) continue;
      const handler = handlers.get(operation.operationId as string);
      const parameters = (operation.parameters ?? []) as Json[];
      for (const ref of refsOf(operation.requestBody, components)) bodySchemas.add(ref);
      if (!handler) continue;
      const fn = (handler.prototype as Record<string, unknown>)[handler.method] as object;
      if (Reflect.getMetadata(IF_MATCH_METADATA, fn)) operation['x-if-match'] = true;
      // `@ApiProduces('application/octet-stream')`: the success is bytes (a download).
      const produces = (Reflect.getMetadata(API_PRODUCES, fn) ?? []) as string[];
      if (produces.includes('application/octet-stream')) operation['x-bytes'] = true;
      for (const { type, arg, metatype } of routeArgs(handler)) {
        if (type === PARAM_ARG && typeof arg.data === 'string') {
          const parameter = parameters.find((p) => p.in === 'path' && p.name === arg.data);
          if (parameter && usesUuidPipe(arg.pipes)) {
            parameter.schema = { type: 'string', format: 'uuid' };
          }
        }
        if (type === QUERY_ARG && metatype && !arg.data) {
          // A query DTO: Swagger spread it into parameters; give each its constraints.
          const schema: Json = { properties: {} };
          applyValidationToSchema(schema, metatype, false);
          for (const [name, property] of Object.entries(obj(schema.properties))) {
            const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
            if (!parameter) continue;
            const { nullable: _nullable, ...rest } = property as Json;
            parameter.schema = { ...obj(parameter.schema), ...rest };
            parameter.required = ((schema.required as string[]) ?? []).includes(name);
          }
        }
      }
    }
  }
  for (const [name, schema] of Object.entries(components)) {
    const target = classes.get(name);
    if (target) applyValidationToSchema(obj(schema), target, bodySchemas.has(name));
  }
}
