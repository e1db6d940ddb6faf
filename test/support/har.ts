/** Validates a HAR document against the HAR 1.2 JSON Schema of the `har-schema` package (draft-06). */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);

let validate: (((data: unknown) => boolean) & { errors?: unknown }) | undefined;

/** The schema's errors for `har`, or [] when it is valid HAR 1.2. */
export function harErrors(har: unknown): unknown[] {
  if (!validate) {
    // har-schema uses draft-06 and a few keywords of its own (`optional`, `min`): not strict.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
    const schemas = require("har-schema") as Record<string, object>;
    for (const [name, schema] of Object.entries(schemas)) if (name !== "har") ajv.addSchema(schema);
    validate = ajv.compile(schemas.har!);
  }
  return validate(har) ? [] : ((validate.errors as unknown[]) ?? []);
}
