/**
 * An upload's `resources` field (a JSON array sent as a multipart text field) against
 * the `UploadResource` schema of the OpenAPI document, checked by the checker itself:
 * Prism never parses a multipart part as JSON.
 *
 * The entries are checked one at a time, and the check stops at the first entry whose
 * violations no longer fit in the request's list (see violations.ts). Checking the
 * whole array in one call would collect every entry's violations first, and ajv's cost
 * grows faster than the number of violations it collects: an 8 KiB `[1,1,1,…]` took
 * 0.4 s, 32 KiB 41 s. One entry at a time, the work is at most one validation per
 * entry, and stops early when entries keep breaking the schema.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import type { ErrorObject } from "ajv";
import type { OpenAPIV3_1 } from "openapi-types";
import type { JournalMultipart } from "../core/journal/journal.js";
import type { ViolationList } from "./violations.js";

/** A compiled schema: true when the value fits, else false with the reasons in `errors`. */
export interface Validator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export interface ResourcesValidators {
  /** The array itself without its entries: `type: array` and any `maxItems`, `minItems`, …. */
  array: Validator;
  /** One entry (the schema's `items`); null when the schema has none (the array check covers it all). */
  entry: Validator | null;
}

export const SCHEMA_BASE = "https://mock-packages.local/schemas/";

/** `#/components/schemas/X` → an absolute URI that ajv can resolve from any schema. */
export function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")
        ? SCHEMA_BASE + value.slice("#/components/schemas/".length)
        : rebase(value);
  }
  return out;
}

/** Compiles the document's `UploadResource` schema for checking entry by entry; null when the document has none. */
export function compileResourcesValidators(doc: OpenAPIV3_1.Document): ResourcesValidators | null {
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  ajvFormats.default(ajv);
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    ajv.addSchema(rebase(schema) as object, SCHEMA_BASE + name);
  }
  const ref = SCHEMA_BASE + "UploadResource";
  const whole = ajv.getSchema(ref);
  if (!whole) return null;
  const schema = whole.schema;
  if (typeof schema !== "object" || schema === null || !("items" in schema)) return { array: whole, entry: null };
  const { items: _items, ...arrayOnly } = schema as Record<string, unknown>;
  return { array: ajv.compile(arrayOnly), entry: ajv.compile({ $ref: `${ref}#/items` }) };
}

/** `/3/checksum/value` → `body.resources[3].checksum.value`. */
function location(instancePath: string): string {
  return `body.resources${instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`;
}

function violation(instancePath: string, error: ErrorObject) {
  return { location: location(instancePath), message: error.message ?? "invalid" };
}

/**
 * Adds the violations of the `resources` field to `list` (as the journal keeps it: a text the
 * controller did not parse is left unchecked): entry by entry, until an
 * entry's violations no longer fit; then one line says the violations go on from that
 * entry and how many entries after it were left unchecked.
 */
export function checkResources(
  validators: ResourcesValidators,
  resources: NonNullable<JournalMultipart["resources"]>,
  list: ViolationList,
): void {
  // The controller never parsed it (the request failed before check 4) or it is too long to keep: unchecked.
  if ("unread" in resources) return;
  if ("invalid" in resources || !Array.isArray(resources.entries)) {
    list.add({ location: "body.resources", message: "the resources field is not a JSON array" });
    return;
  }
  const entries = resources.entries;
  if (!validators.array(entries)) {
    for (const e of validators.array.errors ?? []) list.add(violation(e.instancePath, e));
  }
  const entry = validators.entry;
  if (!entry) return;
  for (let i = 0; i < entries.length; i++) {
    if (entry(entries[i])) continue;
    const errors = entry.errors ?? [];
    const fits = Math.min(errors.length, list.room);
    for (const e of errors.slice(0, fits)) list.add(violation(`/${i}${e.instancePath}`, e));
    if (fits < errors.length) {
      const after = entries.length - i - 1;
      list.stopped(
        "body.resources",
        after > 0
          ? `more violations from body.resources[${i}] on: checking stopped at that entry and skipped ` +
              `the ${after} ${after === 1 ? "entry" : "entries"} after it`
          : `more violations in body.resources[${i}], the last entry`,
      );
      return;
    }
  }
}
