/**
 * Big JSON request bodies (over 64 KiB) are checked against their schema here rather
 * than by Prism. Prism checks a body with every violation collected and then
 * converts each one, about 10 µs apiece: a 1 MiB `{"resources":[1,1,…]}` sent to
 * `POST /v3/resource_matches` took 3 to 5 s and 4 MiB 26 s, with the event loop
 * blocked all along. Here the body is checked up to its first violation, which costs
 * one pass over the body at most. Prism still checks the rest of the request (the
 * content type, that a body is there, headers, query) on a copy of the operation
 * without the body's schemas.
 *
 * The schema, the ajv options and the wording of the violation are Prism's own, so a
 * violation reads the same whichever side of 64 KiB the body is. (Prism also merges
 * `allOf` and drops `readOnly` properties before checking; spec/openapi.yaml uses
 * neither in a request body.)
 */
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import type { ErrorObject } from "ajv";
import type { IHttpOperation } from "@stoplight/types";
import { convertAjvErrors } from "@stoplight/prism-http/dist/validator/validators/utils.js";
import type { Validator } from "./resources-check.js";
import type { ViolationList } from "./violations.js";

/** JSON bodies longer than this (in characters) are checked here, up to their first violation. */
export const BIG_JSON_BODY = 64 * 1024;

/** Prism's `ValidationContext.Input` and `DiagnosticSeverity.Error`. */
const INPUT = 0;
const ERROR = 0;

const withoutSchemas = new WeakMap<IHttpOperation, IHttpOperation>();

/** The operation with its request body's schemas taken out: Prism then checks the body's content type, not its content. */
export function withoutBodySchemas(op: IHttpOperation): IHttpOperation {
  const body = op.request?.body;
  if (!body?.contents) return op;
  let copy = withoutSchemas.get(op);
  if (!copy) {
    const contents = body.contents.map(({ schema: _schema, ...content }) => content);
    copy = { ...op, request: { ...op.request, body: { ...body, contents } } };
    withoutSchemas.set(op, copy);
  }
  return copy;
}

type AjvClass = typeof Ajv | typeof Ajv2019 | typeof Ajv2020;
const instances = new Map<AjvClass, Ajv>();
const compiled = new WeakMap<object, Validator>();

/** An ajv configured as Prism's for request bodies (by the schema's draft, no type coercion), stopping at the first error. */
function firstErrorValidator(schema: object, bundle: unknown): Validator {
  let validate = compiled.get(schema);
  if (validate) return validate;
  const draft = String((schema as { $schema?: unknown }).$schema);
  const Class: AjvClass = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/.test(draft)
    ? Ajv2020
    : /^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/.test(draft)
      ? Ajv2019
      : Ajv;
  let ajv = instances.get(Class);
  if (!ajv) {
    ajv = new Class({
      allErrors: false,
      allowUnionTypes: true,
      allowMatchingProperties: true,
      strict: false,
      logger: false,
    });
    ajvFormats.default(ajv);
    instances.set(Class, ajv);
  }
  validate = ajv.compile(bundle === undefined ? schema : { ...schema, __bundled__: bundle });
  compiled.set(schema, validate);
  return validate;
}

/**
 * Checks a parsed JSON body against the schema of the operation's content for its
 * content type; adds the first violation and a line saying the check stopped there.
 */
export function checkBigJsonBody(
  op: IHttpOperation,
  contentType: string | undefined,
  body: unknown,
  list: ViolationList,
): void {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const content = op.request?.body?.contents?.find((c) => c.mediaType.toLowerCase() === mediaType);
  if (!content?.schema) return;
  const validate = firstErrorValidator(content.schema, (op as { __bundled__?: unknown }).__bundled__);
  if (validate(body)) return;
  const errors = (validate.errors ?? []) as [ErrorObject, ...ErrorObject[]];
  if (errors.length === 0) return;
  for (const d of convertAjvErrors(errors, ERROR, INPUT, "body")) {
    list.add({ location: (d.path ?? []).join(".") || "body", message: d.message });
  }
  list.stopped(
    "body",
    `possibly more violations in the body: a JSON body over ${BIG_JSON_BODY / 1024} KiB is checked ` +
      "only up to its first violation",
  );
}
