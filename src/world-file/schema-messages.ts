/**
 * Checks a world document against the published schema (ajv, JSON Schema
 * 2020-12, every error at once) and says what is wrong in words for people
 * rather than ajv's: one problem per place, with the place as a path.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import type { PathProblem, Segment } from "./problems.js";

const compiled = new WeakMap<object, ValidateFunction>();

/** The compiled schema, once per schema object: compiling takes longer than validating. */
function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // verbose: the messages show the offending value (`data`) and the parent schema's title.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajvFormats.default(ajv);
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Validates `value` against `schema` (the parsed `fixtures/world.schema.json`)
 * and answers every problem, one per place, in the order ajv found them; none
 * when the document follows the schema.
 */
export function schemaProblems(schema: object, value: unknown): PathProblem[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const byPlace = new Map<string, Array<{ e: ErrorObject; at: Segment[] }>>();
  for (const e of withoutAlternatives(validate.errors ?? [])) {
    const at = placeOf(e);
    const key = JSON.stringify(at);
    byPlace.set(key, [...(byPlace.get(key) ?? []), { e, at }]);
  }
  return [...byPlace.values()].map((here) => ({
    at: here[0]!.at,
    problem: describe(here.map((h) => h.e)),
    // An unknown property or feature flag is the key's fault, not its value's.
    onKey: here[0]!.e.keyword === "additionalProperties" || placeOfName(here[0]!.e) !== undefined,
  }));
}

const WRAPPERS = ["anyOf", "oneOf", "if", "propertyNames"];

/** The branch errors of an anyOf at `path` sit right before it and at or below its place. */
const inside = (e: ErrorObject, path: string) => e.instancePath === path || e.instancePath.startsWith(`${path}/`);

/**
 * Replaces each failed anyOf (or oneOf) by the errors of the alternatives worth
 * reporting. When the value has the type of some alternative (a mapping where a
 * flag may be true, false or a mapping), that alternative's errors say what is
 * wrong inside it; otherwise the type errors together say what the value may be.
 */
function withoutAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== "anyOf" && e.keyword !== "oneOf") {
      out.push(e);
      continue;
    }
    let start = out.length;
    while (start > 0 && inside(out[start - 1]!, e.instancePath)) start--;
    const branches = out.splice(start);
    const typeHere = branches.filter((b) => b.keyword === "type" && b.instancePath === e.instancePath);
    const within = branches.filter((b) => !typeHere.includes(b));
    out.push(...(within.length ? within : typeHere.length ? typeHere : [e]));
  }
  // A wrapper explains less than the errors it wraps, which are reported in its stead.
  const useful = out.filter((e) => !WRAPPERS.includes(e.keyword));
  return useful.length ? useful : out;
}

/** The property name a propertyNames error is about. */
const placeOfName = (e: ErrorObject) => (e as { propertyName?: string }).propertyName;

/** The place an error is about: the missing or unknown property itself, not the object holding it. */
function placeOf(e: ErrorObject): Segment[] {
  const at = pointerSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "required") at.push(String(params.missingProperty));
  if (e.keyword === "additionalProperties") at.push(String(params.additionalProperty));
  const name = placeOfName(e);
  if (name !== undefined) at.push(name);
  return at;
}

function pointerSegments(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  number: "a number",
  integer: "a whole number",
  null: "null",
};

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

/** Explanations of the schema's patterns. */
const PATTERN_HINTS: Record<string, string> = {
  "^[^/@]+$": 'must not contain "/" or "@" (they separate names in roles)',
};
const ROLE_HINT =
  'must be "<space role>@<org>/<space>" or "<org role>@<org>", with space roles space_developer, space_manager, ' +
  "space_auditor, space_supporter and org roles org_manager, org_auditor, org_billing_manager, org_user, " +
  'e.g. "space_developer@acme/dev"';

/** "true or false", "a string", …, joined: "a, b or c". */
function either(words: string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  const last = words[words.length - 1]!;
  return `${words.slice(0, -1).join(", ")}${words.some((w) => w.includes(" or ")) ? ", or" : " or"} ${last}`;
}

/** The article of a schema title: "an org", "an app", "a space", "a user". */
const withArticle = (title: string) => (/^[aeio]/i.test(title) ? `an ${title}` : `a ${title}`);

/**
 * What is wrong at one place, from ajv's errors there. The first error is the
 * one ajv met first (as a validator that stops early would), except that type
 * errors of alternatives add up: "must be true or false, or a mapping".
 */
function describe(here: readonly ErrorObject[]): string {
  const e = here[0]!;
  const params = e.params as Record<string, unknown>;
  const value = e.data;
  switch (e.keyword) {
    case "type": {
      const types = here
        .filter((h) => h.keyword === "type")
        .flatMap((h) => String((h.params as { type: string }).type).split(","));
      return `must be ${either([...new Set(types)].map((t) => TYPE_WORDS[t] ?? t))} (got ${shown(value)})`;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return placeOfName(e) !== undefined
        ? `is not a feature flag; the flags are ${allowed.join(", ")}`
        : `must be one of ${allowed.join(", ")} (got ${shown(value)})`;
    }
    case "required":
      return "is required";
    case "additionalProperties": {
      const parent = e.parentSchema as { title?: string; properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parent?.properties ?? {}).filter((k) => k !== "$schema");
      return `is not a property of ${parent?.title ? withArticle(parent.title) : "this object"}; its properties are ${known.join(", ")}`;
    }
    case "format": {
      const example =
        params.format === "uuid"
          ? "a guid such as 0c6d6e6a-2f1b-4a5e-9a39-3f5f4b7c8d90"
          : "a date-time such as 2025-01-15T12:00:00Z";
      return `must be ${example} (got ${shown(value)})`;
    }
    case "minLength":
      return "must not be empty";
    case "pattern": {
      const pattern = String(params.pattern);
      const hint =
        PATTERN_HINTS[pattern] ?? (pattern.includes("space_developer") ? ROLE_HINT : `must match ${pattern}`);
      return `${hint} (got ${shown(value)})`;
    }
    default:
      return `${e.message ?? "is not valid"} (got ${shown(value)})`;
  }
}
