/**
 * Contract checks against `spec/openapi.yaml`, with @stoplight/prism-http:
 * a response (or a request) is checked against the operation the document
 * defines for its method and path, and every violation is returned as data.
 */
import { fileURLToPath } from "node:url";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import type { IHttpOperation } from "@stoplight/types";
import type { OpenAPIV3_1 } from "openapi-types";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { validateInput, validateOutput } from "@stoplight/prism-http/dist/validator/index.js";
import type { ContractVerdict, ContractViolation, JournalMultipart, RequestChecker } from "../core/journal/journal.js";

/** Path of the OpenAPI document that ships with the package. */
export const SPEC_PATH = fileURLToPath(new URL("../../spec/openapi.yaml", import.meta.url));

export interface Violation {
  /** Where: `body.data.state`, `header.location`, `status`, … */
  location: string;
  message: string;
}

export interface Verdict {
  /** `operationId` of the matched operation, or null when the document has none for the method and path. */
  operationId: string | null;
  valid: boolean;
  violations: Violation[];
}

export interface Contract {
  readonly operations: readonly IHttpOperation[];
  /** The operation for a method and a concrete path (`/v3/packages/abc/upload`). */
  findOperation(method: string, path: string): IHttpOperation | undefined;
  /** Checks a response: status, headers, content type and body. */
  checkResponse(method: string, path: string, response: { status: number; headers: Headers; body: unknown }): Verdict;
}

/**
 * Prism answers with fp-ts `Either` values; this reads one without importing fp-ts,
 * which the package has no other use for.
 */
function failures<L>(result: { _tag: "Left"; left: L } | { _tag: "Right" }): L | null {
  return result._tag === "Left" ? result.left : null;
}

function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}/?$`);
}

let cached: Promise<Contract> | undefined;

/** Loads the document once per process. */
export function loadContract(specPath: string = SPEC_PATH): Promise<Contract> {
  if (specPath === SPEC_PATH && cached) return cached;
  const loading = (async () => {
    const operations = await getHttpOperationsFromSpec(specPath);
    const compiled = operations.map((op) => ({
      op,
      regex: templateRegex(op.path),
      // Literal segments win over parameters (`/v3/apps/{guid}/packages` before `/v3/apps/{guid}`).
      literal: op.path.replace(/\{[^}]+\}/g, "").length,
    }));
    compiled.sort((a, b) => b.literal - a.literal);
    const findOperation = (method: string, path: string) =>
      compiled.find((c) => c.op.method.toUpperCase() === method.toUpperCase() && c.regex.test(path))?.op;
    return {
      operations,
      findOperation,
      checkResponse(method, path, response) {
        const op = findOperation(method, path);
        if (!op) {
          return {
            operationId: null,
            valid: false,
            violations: [{ location: "path", message: `the document defines no ${method} ${path}` }],
          };
        }
        const headers: Record<string, string> = {};
        response.headers.forEach((v, k) => {
          headers[k] = v;
        });
        const result = validateOutput({
          resource: op,
          element: { statusCode: response.status, headers, body: response.body },
        });
        const violations: Violation[] = (failures(result) ?? []).map((d) => ({
          location: (d.path ?? []).join(".") || "response",
          message: d.message,
        }));
        return { operationId: op.iid ?? op.id ?? null, valid: violations.length === 0, violations };
      },
    } satisfies Contract;
  })();
  if (specPath === SPEC_PATH) cached = loading;
  return loading;
}

// ---------------------------------------------------------------------------
// Requests: the journal's verdicts.

const SCHEMA_BASE = "https://mock-packages.local/schemas/";

function rebase(node: unknown): unknown {
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

/** A synthetic multipart body for Prism: the real `resources` text, a placeholder for the file's bytes. */
function syntheticMultipart(multipart: JournalMultipart): { body: string; contentType: string } {
  const boundary = "mock-packages-contract-check";
  let body = "";
  for (const part of multipart.parts) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${part.name ?? ""}"`;
    if (part.filename !== null) body += `; filename="${part.filename}"`;
    body += "\r\n";
    if (part.contentType) body += `Content-Type: ${part.contentType}\r\n`;
    const content =
      part.name === "resources" && multipart.resources
        ? "entries" in multipart.resources
          ? JSON.stringify(multipart.resources.entries)
          : "invalid" in multipart.resources
            ? multipart.resources.invalid
            : multipart.resources.unread
        : `(${part.size} bytes)`;
    body += `\r\n${content}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A request checker for the journal: path, query, headers and content type with
 * Prism; security (a bearer token, the scheme word in any case) and the
 * `resources` JSON against its schema by the checker itself, since Prism rejects
 * the cf CLI's lowercase `bearer` and never parses a multipart part as JSON.
 */
export async function createContractChecker(
  specPath: string = SPEC_PATH,
): Promise<RequestChecker & { contract: Contract }> {
  const contract = await loadContract(specPath);
  const doc = parseYaml(readFileSync(specPath, "utf8")) as OpenAPIV3_1.Document;
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  ajvFormats.default(ajv);
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    ajv.addSchema(rebase(schema) as object, SCHEMA_BASE + name);
  }
  const checkResources = ajv.getSchema(SCHEMA_BASE + "UploadResource");
  return {
    contract,
    checkRequest(request): ContractVerdict {
      const op = contract.findOperation(request.method, request.path);
      if (!op) {
        return {
          operationId: null,
          valid: false,
          violations: [{ location: "path", message: `spec/openapi.yaml defines no ${request.method} ${request.path}` }],
        };
      }
      const violations: ContractViolation[] = [];
      // Secured unless no scheme is listed or one alternative is empty (`security: [{}, …]`: optional).
      const security = op.security ?? [];
      const secured = security.length > 0 && security.every((alternatives) => alternatives.length > 0);
      if (secured && !/^\s*bearer\s+\S+/i.test(request.headers.authorization ?? "")) {
        violations.push({
          location: "header.authorization",
          message: "the operation needs 'Authorization: bearer <token>'",
        });
      }
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(request.query)) {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      const headers = { ...request.headers };
      let body: unknown;
      if (request.multipart) {
        const synthetic = syntheticMultipart(request.multipart);
        body = synthetic.body;
        headers["content-type"] = synthetic.contentType;
        headers["content-length"] = String(synthetic.body.length);
      } else if (request.body !== null) {
        try {
          body = JSON.parse(request.body);
        } catch {
          body = request.body;
        }
        headers["content-length"] = String(request.body.length || 1);
      } else if (headers["content-type"]) {
        // A body the simulator did not read (the front end rejected it first): its content type still counts.
        body = "(body)";
        headers["content-length"] = headers["content-length"] ?? "1";
      }
      const result = validateInput({
        resource: op,
        element: { method: request.method.toLowerCase() as "get", url: { path: request.path, query }, headers, body },
      });
      for (const d of failures(result) ?? []) {
        violations.push({ location: (d.path ?? []).join(".") || "request", message: d.message });
      }
      const resources = request.multipart?.resources;
      if (resources && checkResources) {
        if ("invalid" in resources) {
          violations.push({ location: "body.resources", message: "the resources field is not a JSON array" });
        } else if ("unread" in resources) {
          // The controller never parsed it (the request failed first) or it is too long to keep: unchecked.
        } else if (!checkResources(resources.entries)) {
          for (const e of checkResources.errors ?? []) {
            violations.push({
              location: `body.resources${e.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`,
              message: e.message ?? "invalid",
            });
          }
        }
      }
      return { operationId: op.iid ?? op.id ?? null, valid: violations.length === 0, violations };
    },
  };
}
