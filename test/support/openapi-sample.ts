import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { sample } from 'openapi-sampler';
import RandExp from 'randexp';

type Json = Record<string, unknown>;

/** The served OpenAPI document, as far as these helpers read it. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, Json>>;
  components?: Json;
}

/**
 * A request body for `schema` (an OpenAPI schema of `document`) that satisfies it: openapi-sampler
 * fills types, formats, enums, lengths and bounds but not `pattern`, so values that break a pattern
 * are regenerated from it (randexp), up to five rounds. Throws, naming the schema errors, when the
 * result still does not validate (the document then describes something the sampler cannot meet).
 */
export function sampleRequestBody(document: OpenApiDoc, schema: Json): unknown {
  const body = sample(schema, { skipReadOnly: true }, document);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ components: document.components }, 'openapi');
  const validate = ajv.compile(
    JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"openapi#/components')) as Json,
  );
  for (let round = 0; round < 5 && !validate(body); round++) {
    for (const error of validate.errors ?? []) {
      if (error.keyword !== 'pattern') continue;
      const keys = error.instancePath.split('/').slice(1);
      const last = keys.pop();
      let parent = body as Json;
      for (const key of keys) parent = parent[key] as Json;
      if (last !== undefined) parent[last] = new RandExp(String(error.params.pattern)).gen();
    }
  }
  if (!validate(body)) {
    throw new Error(
      `sampled body does not satisfy its schema: ${JSON.stringify(body)} ${JSON.stringify(validate.errors)}`,
    );
  }
  return body;
}

/** The JSON request schema of `method path` (path as documented, `{id}` style), if it has one. */
export function requestSchema(
  document: OpenApiDoc,
  method: string,
  path: string,
): Json | undefined {
  const operation = document.paths[path]?.[method.toLowerCase()];
  const content = (operation?.requestBody as Json | undefined)?.content as Json | undefined;
  return (content?.['application/json'] as Json | undefined)?.schema as Json | undefined;
}
