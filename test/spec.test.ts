// Checks spec/openapi.yaml itself: every example matches its schema (with ajv, JSON
// Schema 2020-12, and with Prism's own validator, which the simulator's tests use), every
// operation is documented enough to mock, and the schemas reject the mistakes they exist
// to catch.
import { SCHEMA_BASE, rebase } from "../src/contract/resources-check.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { OpenAPIV3_1 } from "openapi-types";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { validateInput, validateOutput } from "@stoplight/prism-http/dist/validator/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const specPath = fileURLToPath(new URL("../spec/openapi.yaml", import.meta.url));
/** The document as OpenAPI 3.1 describes it, for its named parts. */
const document = parse(readFileSync(specPath, "utf8")) as OpenAPIV3_1.Document;
/** The same document as plain JSON, for walking it and following `$ref`s. */
const doc = document as unknown as JsonObject;

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];
// Binary bodies carry no example: there is nothing useful to write in YAML.
const BINARY_MEDIA_TYPES = new Set(["application/zip", "application/octet-stream"]);
/** Operations that need no token: the root documents and /v3/info (and their HEADs), and the simulator's signed blob URLs. */
const PUBLIC_OPERATIONS = new Set([
  "getRoot",
  "getV3Root",
  "getInfo",
  "headGetRoot",
  "headGetV3Root",
  "headGetInfo",
  "getMockBlob",
  "headMockBlob",
  "getLoginInfo",
  "headGetLoginInfo",
]);
// mock-packages' own API under /__mock/: its own admin token (optional: needed only when the
// simulator has one), and 404 CF-NotFound under --no-admin.
const MOCK_ADMIN_TAG = "Mock admin";

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows a local `#/...` reference chain to the object it names. */
function deref(node: Json | undefined): JsonObject {
  let current = node;
  const seen = new Set<string>();
  while (isObject(current) && typeof current.$ref === "string") {
    const ref = current.$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) throw new Error(`unresolvable $ref ${ref}`);
    seen.add(ref);
    current = ref
      .slice(2)
      .split("/")
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<Json | undefined>((at, key) => (isObject(at) ? at[key] : undefined), doc);
    if (current === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  if (!isObject(current)) throw new Error(`expected an object, got ${JSON.stringify(current)}`);
  return current;
}

/** Rewrites `#/components/schemas/X` to an absolute id ajv knows, deep-copying. */

// strictSchema catches typos such as `additionalProperty` or `requried`: an unknown
// keyword fails the compile instead of silently validating nothing.
const ajv = new Ajv2020({
  allErrors: true,
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  allowUnionTypes: true,
});
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
ajvFormats.default(ajv);
// The document's own extension (simulator-only parts), the one keyword it adds.
ajv.addKeyword({ keyword: "x-mock-packages", schemaType: "boolean" });
const componentSchemas = deref((doc.components as JsonObject).schemas);
for (const [name, schema] of Object.entries(componentSchemas)) {
  ajv.addSchema({ ...(rebase(schema) as JsonObject), $id: SCHEMA_BASE + name });
}
const compiled = new WeakMap<object, ValidateFunction>();
function validatorFor(schema: Json): ValidateFunction {
  const key = isObject(schema) ? schema : {};
  const cached = compiled.get(key);
  if (cached) return cached;
  const fn = ajv.compile(rebase(schema) as JsonObject);
  compiled.set(key, fn);
  return fn;
}
function errorsOf(schema: Json, value: unknown): string {
  const fn = validatorFor(schema);
  return fn(value) ? "" : ajv.errorsText(fn.errors, { separator: "\n" });
}
const component = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

interface Operation {
  method: string;
  path: string;
  op: JsonObject;
}
const operations: Operation[] = [];
for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
  const item = pathItem as unknown as Json;
  for (const method of HTTP_METHODS) {
    const op = deref(item).hasOwnProperty(method) ? deref(item)[method] : undefined;
    if (isObject(op)) operations.push({ method, path, op });
  }
}

interface NamedExample {
  name: string;
  value: Json;
}
function examplesOf(holder: JsonObject): NamedExample[] {
  const found: NamedExample[] = [];
  if ("example" in holder) found.push({ name: "example", value: holder.example });
  if (isObject(holder.examples)) {
    for (const [name, example] of Object.entries(holder.examples)) {
      found.push({ name, value: deref(example).value });
    }
  }
  return found;
}

interface MediaCase {
  where: string;
  mediaType: string;
  media: JsonObject;
}
function mediaCases(where: string, content: Json | undefined): MediaCase[] {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([mediaType, media]) => ({
    where: `${where} ${mediaType}`,
    mediaType,
    media: deref(media),
  }));
}
const responseMedia: MediaCase[] = [];
const requestMedia: MediaCase[] = [];
for (const { method, path, op } of operations) {
  for (const [status, response] of Object.entries(deref(op.responses))) {
    responseMedia.push(...mediaCases(`${method.toUpperCase()} ${path} ${status}`, deref(response).content));
  }
  if (op.requestBody)
    requestMedia.push(...mediaCases(`${method.toUpperCase()} ${path} request`, deref(op.requestBody).content));
}

describe("spec/openapi.yaml examples match their schemas (ajv, JSON Schema 2020-12)", () => {
  it("compiles every component schema in strict mode", () => {
    for (const name of Object.keys(componentSchemas)) {
      expect(() => ajv.getSchema(SCHEMA_BASE + name), name).not.toThrow();
      expect(ajv.getSchema(SCHEMA_BASE + name), name).toBeTypeOf("function");
    }
  });

  it.each([...responseMedia, ...requestMedia].map((c) => [c.where, c] as const))(
    "%s",
    (_where, { mediaType, media }) => {
      const examples = examplesOf(media);
      if (!BINARY_MEDIA_TYPES.has(mediaType)) expect(examples.length, "has at least one example").toBeGreaterThan(0);
      for (const { name, value } of examples) {
        expect(errorsOf(media.schema, value), `example "${name}"`).toBe("");
        // A JSON-in-a-string form field (multipart `resources`): its parsed value must
        // match contentSchema too, which ajv treats as an annotation only.
        const properties = deref(media.schema).properties;
        if (isObject(properties) && isObject(value)) {
          for (const [field, fieldSchema] of Object.entries(properties)) {
            const fs = deref(fieldSchema);
            if (fs.contentMediaType === "application/json" && typeof value[field] === "string") {
              expect(
                errorsOf(fs.contentSchema, JSON.parse(value[field] as string)),
                `example "${name}" field ${field}`,
              ).toBe("");
            }
          }
        }
      }
    },
  );

  it("header, parameter and schema-level examples match their schemas", () => {
    const components = doc.components as JsonObject;
    for (const [name, header] of Object.entries(deref(components.headers))) {
      const h = deref(header);
      if ("example" in h) expect(errorsOf(h.schema, h.example), `header ${name}`).toBe("");
    }
    const parameters = [
      ...Object.values(deref(components.parameters)),
      ...operations.flatMap(({ op }) => (Array.isArray(op.parameters) ? op.parameters : [])),
    ];
    for (const parameter of parameters) {
      const p = deref(parameter);
      for (const { name, value } of examplesOf(p))
        expect(errorsOf(p.schema, value), `parameter ${p.name} ${name}`).toBe("");
    }
    for (const [name, schema] of Object.entries(componentSchemas)) {
      const examples = deref(schema).examples;
      if (Array.isArray(examples))
        for (const value of examples) expect(errorsOf(component(name), value), name).toBe("");
    }
  });

  it("examples show the controller key order", () => {
    // JSON Schema cannot check key order, but the controller's order is part of what the
    // simulator reproduces, so its examples must show it.
    const orders: Record<string, string[]> = {
      Package: ["guid", "created_at", "updated_at", "type", "data", "state", "relationships", "metadata", "links"],
      Job: ["guid", "created_at", "updated_at", "operation", "state", "errors", "warnings", "links"],
      App: ["guid", "created_at", "updated_at", "name", "state", "lifecycle", "relationships", "metadata", "links"],
      FeatureFlag: ["name", "enabled", "updated_at", "custom_error_message", "links"],
      ErrorItem: ["detail", "title", "code"],
    };
    let checked = 0;
    const visit = (node: Json): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!isObject(node)) return;
      const keys = Object.keys(node);
      for (const order of Object.values(orders)) {
        if (keys.length === order.length && order.every((k) => k in node)) {
          expect(keys).toEqual(order);
          checked++;
        }
      }
      Object.values(node).forEach(visit);
    };
    for (const c of [...responseMedia, ...requestMedia]) examplesOf(c.media).forEach((e) => visit(e.value));
    for (const example of Object.values(deref((doc.components as JsonObject).examples))) visit(deref(example).value);
    expect(checked).toBeGreaterThan(20);
  });
});

describe("spec/openapi.yaml operations", () => {
  const tagNames = new Set((document.tags ?? []).map((t) => t.name));

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    "%s is documented",
    (_name, { op }) => {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(Array.isArray(op.tags) && op.tags.length).toBeGreaterThan(0);
      for (const tag of op.tags as string[]) expect(tagNames.has(tag), `tag ${tag} is declared`).toBe(true);
      expect(typeof op.summary === "string" && typeof op.description === "string").toBe(true);
      const statuses = Object.keys(deref(op.responses));
      // Stands in for Redocly's operation-4xx-response, turned off for the two public roots.
      if (!PUBLIC_OPERATIONS.has(op.operationId as string)) expect(statuses.some((s) => s.startsWith("4"))).toBe(true);
      for (const status of statuses) {
        const response = deref(deref(op.responses)[status]);
        expect(typeof response.description, `${status} has a description`).toBe("string");
        // Every CF error is the Errors envelope (the nginx pages are text/html); UAA's (x-uaa) are UaaError.
        const json = isObject(response.content) ? response.content["application/json"] : undefined;
        const envelope = op["x-uaa"] === true ? "UaaError" : "Errors";
        if (/^[45]/.test(status) && json)
          expect(deref(json).schema, `${status} uses ${envelope}`).toEqual(component(envelope));
      }
    },
  );

  // Rails answers HEAD on every GET route (Rack::Head): each GET has its HEAD, with the same parameters and statuses.
  it("declares a HEAD beside every GET, with the GET's parameters and statuses", () => {
    for (const { path, method, op } of operations) {
      if (method !== "get") continue;
      const head = operations.find((o) => o.path === path && o.method === "head");
      expect(head, `HEAD ${path}`).toBeDefined();
      expect(head!.op.parameters, path).toEqual(op.parameters);
      expect(Object.keys(deref(head!.op.responses)), path).toEqual(Object.keys(deref(op.responses)));
      expect(head!.op.security, path).toEqual(op.security);
    }
  });

  it("has unique operationIds", () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("needs a bearer token everywhere except the two root documents, and the mock admin API its own, optional", () => {
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    const scheme = deref(deref((doc.components as JsonObject).securitySchemes).bearerAuth);
    expect(scheme).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    const adminScheme = deref(deref((doc.components as JsonObject).securitySchemes).mockAdminToken);
    expect(adminScheme).toMatchObject({ type: "http", scheme: "bearer" });
    for (const { path, op } of operations) {
      const admin = (op.tags as string[]).includes(MOCK_ADMIN_TAG);
      // The simulator's own API lives under /__mock/, and only there.
      expect(admin, `${path} is tagged ${MOCK_ADMIN_TAG} exactly when it is under /__mock/`).toBe(
        path.startsWith("/__mock/"),
      );
      if (admin) expect(op.security, path).toEqual([{}, { mockAdminToken: [] }]);
      else if (PUBLIC_OPERATIONS.has(op.operationId as string)) expect(op.security, path).toEqual([]);
      // UAA's token endpoint: the client by HTTP Basic, or in the form (client_credentials).
      else if (op.operationId === "createUaaToken") expect(op.security, path).toEqual([{}, { uaaClientBasic: [] }]);
      else expect(op.security, path).toBeUndefined();
    }
  });

  it("describes the upload with the real statuses and the seed 202", () => {
    const upload = operations.find(({ op }) => op.operationId === "uploadPackageBits");
    expect(upload?.path).toBe("/v3/packages/{guid}/upload");
    expect(upload?.method).toBe("post");
    const responses = deref(upload?.op.responses);
    for (const status of ["200", "202", "400", "401", "403", "404", "422", "413", "415", "429", "500", "503"]) {
      expect(responses, status).toHaveProperty(status);
    }
    const location = deref(deref(deref(responses["202"]).headers).Location);
    expect(location.required).toBe(true);
    expect(location.schema).toMatchObject({ type: "string", format: "uri" });
    // The 200 has no Location: its only header is the controller's request id.
    expect(Object.keys(deref(deref(responses["200"]).headers))).toEqual(["X-VCAP-Request-ID"]);

    const body = deref(upload?.op.requestBody);
    expect(body.required).toBe(true);
    expect(body.description).toMatch(/either bits or resources, or both/);
    const form = deref(deref(deref(body.content)["multipart/form-data"]).schema);
    expect(form.required).toBeUndefined();
    expect(deref(form.properties).bits).toMatchObject({ type: "string", contentMediaType: "application/zip" });
    expect(deref(form.properties).resources).toMatchObject({ type: "string", contentMediaType: "application/json" });
  });
});

describe("spec/openapi.yaml schemas reject what the controller never sends", () => {
  const processing = deref(deref((doc.components as JsonObject).examples).BitsPackageProcessingUpload)
    .value as JsonObject;
  const docker = deref(deref((doc.components as JsonObject).examples).DockerPackageWithCredentials).value as JsonObject;
  const clone = <T extends Json>(value: T): T => structuredClone(value);
  const errorsBody = (item: JsonObject): Json => ({ errors: [item] });

  const cases: Array<[string, string, Json]> = [
    ["an unknown package key", "Package", { ...clone(processing), state_reason: null }],
    ["a package without links", "Package", (({ links: _links, ...rest }) => rest)(clone(processing))],
    ["an unknown state", "Package", { ...clone(processing), state: "UPLOADED" }],
    ["a timestamp with milliseconds", "Package", { ...clone(processing), updated_at: "2025-01-15T10:20:41.123Z" }],
    ["the seed's empty relationships", "Package", { ...clone(processing), relationships: {} }],
    [
      "bits data mixed with docker data",
      "Package",
      { ...clone(processing), data: { ...(processing.data as JsonObject), image: "x" } },
    ],
    ["docker data on a bits package", "Package", { ...clone(processing), data: clone(docker.data) }],
    [
      "an upload link on a docker package",
      "Package",
      {
        ...clone(docker),
        links: { ...(docker.links as JsonObject), upload: { href: "https://api.example.local/u", method: "POST" } },
      },
    ],
    [
      "a bits package without its download link",
      "Package",
      { ...clone(processing), links: (({ download: _d, ...rest }) => rest)(clone(processing.links as JsonObject)) },
    ],
    [
      "an upload link without method",
      "Package",
      {
        ...clone(processing),
        links: { ...(processing.links as JsonObject), upload: { href: "https://api.example.local/u" } },
      },
    ],
    [
      "an unmasked docker password",
      "Package",
      { ...clone(docker), data: { ...(docker.data as JsonObject), password: "hunter2" } },
    ],
    [
      "a password without a username",
      "Package",
      { ...clone(docker), data: { ...(docker.data as JsonObject), username: null } },
    ],
    [
      "an uppercase checksum",
      "Package",
      { ...clone(processing), data: { error: null, checksum: { type: "sha256", value: "A".repeat(64) } } },
    ],
    [
      "a relative href",
      "Package",
      { ...clone(processing), links: { ...(processing.links as JsonObject), self: { href: "/v3/packages/x" } } },
    ],
    ["an empty errors array", "Errors", { errors: [] }],
    ["an error title without CF-", "Errors", errorsBody({ detail: "x", title: "NotAuthorized", code: 10003 })],
    ["a string error code", "Errors", errorsBody({ detail: "x", title: "CF-NotAuthorized", code: "10003" })],
    ["an extra error key", "Errors", errorsBody({ detail: "x", title: "CF-NotAuthorized", code: 10003, status: 403 })],
    [
      "total_pages 0",
      "Pagination",
      {
        total_results: 0,
        total_pages: 0,
        first: { href: "https://a.b/?page=1" },
        last: { href: "https://a.b/?page=1" },
        next: null,
        previous: null,
      },
    ],
    [
      "a job in an unknown state",
      "Job",
      {
        guid: "g",
        created_at: "2025-01-15T10:20:30Z",
        updated_at: "2025-01-15T10:20:30Z",
        operation: "package.delete",
        state: "DONE",
        errors: [],
        warnings: [],
        links: { self: { href: "https://a.b/j" } },
      },
    ],
    ["a root document without self", "RootDocument", { links: { uaa: { href: "https://uaa.example.local" } } }],
    ["a scenario that is not in the catalog", "MockScenarioState", { scenario: { name: "nope" }, packages: {} }],
    ["a latency string in a shown setting", "MockScenarioSetting", { name: "slow", latency: "200-800" }],
    ["a latency triple", "MockScenarioSettingInput", { name: "slow", latency: [1, 2, 3] }],
    ["a latency that is not MS or MIN-MAX", "MockScenarioSettingInput", { name: "slow", latency: "soon" }],
    ["an unknown scenario option", "MockScenarioSettingInput", { name: "slow", delay: 5 }],
    [
      "a catalog status as a string",
      "MockScenarioCatalog",
      { scenarios: [{ name: "slow", status: "200", description: "x" }] },
    ],
  ];
  it.each(cases)("rejects %s", (_what, name, value) => {
    expect(errorsOf(component(name), value)).not.toBe("");
  });

  it('accepts the simulator\'s optional "method":"GET" on the download link', () => {
    const withMethod = {
      ...clone(processing),
      links: { ...(processing.links as JsonObject), download: { href: "https://api.example.local/d", method: "GET" } },
    };
    expect(errorsOf(component("Package"), withMethod)).toBe("");
  });
});

describe("Prism (the validator the simulator tests use) agrees with the document", async () => {
  // Prism swallows schema compile errors and then validates nothing, so the negative
  // cases below are what prove its validators are live.
  const prismOperations = await getHttpOperationsFromSpec(specPath);
  const byId = (id: string) => {
    const found = prismOperations.find((o) => o.iid === id);
    if (!found) throw new Error(`Prism has no operation ${id}`);
    return found;
  };
  const check = (id: string, statusCode: number, body: unknown, headers: Record<string, string>) => {
    const result = validateOutput({ resource: byId(id), element: { statusCode, headers, body } });
    return result._tag === "Left" ? result.left.map((d) => d.message) : [];
  };

  interface OutputCase {
    id: string;
    status: string;
    mediaType: string;
    name: string;
    value: Json;
    headers: Record<string, string>;
  }
  const outputCases: OutputCase[] = [];
  for (const { op } of operations) {
    for (const [status, responseRef] of Object.entries(deref(op.responses))) {
      const response = deref(responseRef);
      const headers: Record<string, string> = {};
      for (const [name, header] of Object.entries(isObject(response.headers) ? response.headers : {})) {
        const h = deref(header);
        if (typeof h.example === "string") headers[name.toLowerCase()] = h.example;
      }
      for (const { mediaType, media } of mediaCases("", response.content)) {
        for (const { name, value } of examplesOf(media)) {
          outputCases.push({
            id: op.operationId as string,
            status,
            mediaType,
            name,
            value,
            headers: { ...headers, "content-type": mediaType },
          });
        }
      }
    }
  }

  it.each(outputCases.map((c) => [`${c.id} ${c.status} ${c.mediaType} ${c.name}`, c] as const))(
    "validateOutput accepts %s",
    (_n, c) => {
      expect(check(c.id, Number(c.status), c.value, c.headers)).toEqual([]);
    },
  );

  const processing = deref(deref((doc.components as JsonObject).examples).BitsPackageProcessingUpload)
    .value as JsonObject;
  const location = { location: "https://api.example.local/v3/jobs/2b8e4d61-3c9a-4f07-8e15-6d4a2b9c0f83" };
  const requestId = { "x-vcap-request-id": "0f3c8a56-2d1b-4e7a-9c5f-6b8d4e2a1c90" };
  const json = { "content-type": "application/json; charset=utf-8", ...requestId };

  it("validateOutput accepts the real content type with charset", () => {
    expect(check("uploadPackageBits", 200, processing, json)).toEqual([]);
  });
  it("validateOutput rejects an unknown package key", () => {
    expect(check("uploadPackageBits", 200, { ...processing, extra: 1 }, json)).not.toEqual([]);
  });
  it("validateOutput rejects docker data on a bits package (if/then/else is live)", () => {
    const data = { image: "x", username: null, password: null };
    expect(check("uploadPackageBits", 200, { ...processing, data }, json)).not.toEqual([]);
  });
  it("validateOutput rejects a 202 without Location", () => {
    expect(check("uploadPackageBits", 202, processing, json)).not.toEqual([]);
    expect(check("uploadPackageBits", 202, processing, { ...json, ...location })).toEqual([]);
  });
  it("validateOutput rejects an empty errors array and a wrong title", () => {
    expect(check("uploadPackageBits", 422, { errors: [] }, json)).not.toEqual([]);
    expect(
      check(
        "uploadPackageBits",
        404,
        { errors: [{ detail: "Package not found", title: "ResourceNotFound", code: 10010 }] },
        json,
      ),
    ).not.toEqual([]);
  });
  it("validateOutput accepts an empty 202 from DELETE only with Location", () => {
    expect(check("deletePackage", 202, undefined, requestId)).not.toEqual([]);
    expect(check("deletePackage", 202, undefined, { ...location, ...requestId })).toEqual([]);
  });
  it("validateOutput requires X-VCAP-Request-ID on a controller's answer", () => {
    const { "x-vcap-request-id": _id, ...withoutId } = json;
    expect(check("uploadPackageBits", 200, processing, withoutId)).not.toEqual([]);
    expect(check("deletePackage", 202, undefined, location)).not.toEqual([]);
  });
  it("validateOutput checks the nginx 413 page", () => {
    expect(
      check("uploadPackageBits", 413, "<html>413 Request Entity Too Large</html>", {
        "content-type": "text/html",
        ...requestId,
      }),
    ).toEqual([]);
    expect(check("uploadPackageBits", 413, { errors: [] }, json)).not.toEqual([]);
  });

  it("validateInput accepts a cf push style multipart upload (resources as a JSON string)", () => {
    const boundary = "a".repeat(60);
    const resources =
      '[{"path":"a.js","mode":"644","checksum":{"value":"a9993e364706816aba3e25717850c26c9cd0d89d"},"size_in_bytes":123}]';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="resources"',
      "",
      resources,
      `--${boundary}`,
      'Content-Disposition: form-data; name="bits"; filename="package.zip"',
      "Content-Type: application/octet-stream",
      "",
      "PK\u0005\u0006" + "\u0000".repeat(18),
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const result = validateInput({
      resource: byId("uploadPackageBits"),
      element: {
        method: "post",
        url: { path: "/v3/packages/e1a5f4b2-7c3d-4b8e-9f10-3a6b2c8d4e51/upload" },
        headers: {
          authorization: "Bearer x",
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(Buffer.byteLength(body)),
        },
        body,
      },
    });
    expect(result._tag === "Left" ? result.left.map((d) => d.message) : []).toEqual([]);
  });
});

describe("spec/openapi.yaml declares every answer, and marks what only the simulator has", () => {
  /** Paths only the simulator serves: its admin API, and the blob URLs a download redirects to (a blobstore's, not the controller's). */
  const simulatorOnly = (path: string) => path.startsWith("/__mock/") || path.startsWith("/blobstore/");
  const cfOperations = operations.filter(({ path }) => !simulatorOnly(path));
  const details = (op: JsonObject, status: string): string[] => {
    const responses = deref(op.responses);
    if (!(status in responses)) return [];
    const response = deref(responses[status]);
    const json = isObject(response.content) ? response.content["application/json"] : undefined;
    if (json === undefined) return [];
    return examplesOf(deref(json)).flatMap(({ value }) =>
      (deref(value).errors as JsonObject[]).map((e) => String(e.detail)),
    );
  };

  it("X-VCAP-Request-ID on every response of every Cloud Foundry operation, required", () => {
    for (const { method, path, op } of cfOperations) {
      for (const [status, response] of Object.entries(deref(op.responses))) {
        const header = deref(deref(deref(response).headers)["X-VCAP-Request-ID"]);
        expect(header.required, `${method.toUpperCase()} ${path} ${status}`).toBe(true);
      }
    }
  });

  it("no read shows a feature-flag or a suspended-org 403; only the upload and resource matches show the flag", () => {
    for (const { method, op } of cfOperations) {
      const texts = details(op, "403").join("\n");
      if (method === "get") expect(texts, `${op.operationId}`).not.toMatch(/Feature Disabled|suspended/);
      if (!["uploadPackageBits", "createResourceMatches"].includes(op.operationId as string))
        expect(texts, `${op.operationId}`).not.toMatch(/Feature Disabled/);
    }
  });

  it("the upload's 422 texts appear under the upload only", () => {
    const uploadOnly = /Upload must include|Resources must be valid JSON|cached_resources/;
    for (const { op } of cfOperations) {
      if (op.operationId === "uploadPackageBits") expect(details(op, "422").join("\n")).toMatch(uploadOnly);
      else expect(details(op, "422").join("\n"), `${op.operationId}`).not.toMatch(uploadOnly);
    }
  });

  it("x-mock-packages: true on the admin API, the blob URLs, the Prefer header, the seed's 202 and X-Mock-Packages-Detail", () => {
    for (const { path, op } of operations) expect(op["x-mock-packages"] === true, path).toBe(simulatorOnly(path));
    const upload = operations.find(({ op }) => op.operationId === "uploadPackageBits")!.op;
    const prefer = (upload.parameters as JsonObject[]).map(deref).find((p) => p.name === "Prefer")!;
    expect(prefer["x-mock-packages"]).toBe(true);
    expect(deref(deref(upload.responses)["202"])["x-mock-packages"]).toBe(true);
    expect(deref(deref(upload.responses)["200"])["x-mock-packages"]).toBeUndefined();
    const components = doc.components as JsonObject;
    expect(deref(deref(components.headers).MockPackagesDetail)["x-mock-packages"]).toBe(true);
    expect(deref(deref(components.securitySchemes).mockAdminToken)["x-mock-packages"]).toBe(true);
    expect((document.tags ?? []).find((t) => t.name === MOCK_ADMIN_TAG)).toMatchObject({ "x-mock-packages": true });
    expect(document.info.description).toContain("x-mock-packages: true");
  });
});
