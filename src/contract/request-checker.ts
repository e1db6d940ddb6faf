/**
 * The journal's request checker: a verdict on each request against spec/openapi.yaml.
 * Path, query, headers and content type are checked with Prism; security (a bearer
 * token, the scheme word in any case) and the upload's `resources` JSON by the checker
 * itself, since Prism rejects the cf CLI's lowercase `bearer` and never parses a
 * multipart part as JSON.
 *
 * A verdict lists at most 20 violations, then one line for the rest (violations.ts),
 * and the checks stop looking once the list is full: the time a verdict takes grows
 * with the size of the request, never faster, however badly the request breaks the
 * contract.
 */
import { readFileSync } from "node:fs";
import type { IHttpOperation } from "@stoplight/types";
import { validateInput } from "@stoplight/prism-http/dist/validator/index.js";
import type { OpenAPIV3_1 } from "openapi-types";
import { parse as parseYaml } from "yaml";
import type { CheckedRequest, ContractVerdict, JournalMultipart, RequestChecker } from "../core/journal/journal.js";
import { failures, loadContract, SPEC_PATH, type Contract } from "./contract.js";
import { BIG_JSON_BODY, checkBigJsonBody, withoutBodySchemas } from "./json-body.js";
import { checkResources, compileResourcesValidators } from "./resources-check.js";
import { ViolationList } from "./violations.js";

/**
 * A synthetic multipart body for Prism, with the parts in request order: placeholders
 * for every part's content. Prism only checks that a field is a string; the `resources`
 * JSON is checked by `checkResources`, so Prism's cost stays the same whatever its size.
 */
function syntheticMultipart(multipart: JournalMultipart): { body: string; contentType: string } {
  const boundary = "mock-packages-contract-check";
  let body = "";
  for (const part of multipart.parts) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${part.name ?? ""}"`;
    if (part.filename !== null) body += `; filename="${part.filename}"`;
    body += "\r\n";
    if (part.contentType) body += `Content-Type: ${part.contentType}\r\n`;
    body += `\r\n(${part.size} bytes)\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Whether a request carried a body, judged from the headers the journal keeps: a
 * `Transfer-Encoding`, or a `Content-Length` above 0; or, for a `Request` made in
 * process (which has no `Content-Length`), a body stream without a `Content-Length: 0`.
 * A `Content-Type` alone says nothing: the cf CLI sends one on every request.
 */
function bodyWasSent(request: CheckedRequest): boolean {
  const { headers } = request;
  if (headers["transfer-encoding"]) return true;
  const declared = headers["content-length"];
  if (declared === undefined) return request.bodySent === true;
  const length = Number(declared);
  return Number.isFinite(length) && length > 0;
}

/**
 * What Prism is handed for a request: the operation (without its body schemas when a
 * big JSON body is checked here instead, see json-body.ts) and the request as Prism
 * reads it.
 */
function prismInput(op: IHttpOperation, request: CheckedRequest, list: ViolationList) {
  const headers = { ...request.headers };
  let body: unknown;
  let resource = op;
  if (request.multipart) {
    const synthetic = syntheticMultipart(request.multipart);
    body = synthetic.body;
    headers["content-type"] = synthetic.contentType;
    headers["content-length"] = String(synthetic.body.length);
  } else if (request.body !== null) {
    let parsed = false;
    try {
      body = JSON.parse(request.body);
      parsed = true;
    } catch {
      body = request.body;
    }
    headers["content-length"] = String(request.body.length || 1);
    if (parsed && request.body.length > BIG_JSON_BODY) {
      checkBigJsonBody(op, headers["content-type"], body, list);
      resource = withoutBodySchemas(op);
    }
  } else if (bodyWasSent(request)) {
    // A body the simulator did not read (the front end rejected it first): its content type still counts.
    body = "(body)";
    headers["content-length"] = headers["content-length"] ?? "1";
  } else {
    // No body: a Content-Type alone (the cf CLI sends one on every request, GETs included) is no body.
    delete headers["content-type"];
    delete headers["content-length"];
  }
  const url = { path: request.path, query: parseQuery(request.query) };
  return { resource, element: { method: request.method.toLowerCase() as "get", url, headers, body } };
}

/** Secured unless no scheme is listed or one alternative is empty (`security: [{}, …]`: optional). */
function needsToken(op: IHttpOperation): boolean {
  const security = op.security ?? [];
  return security.length > 0 && security.every((alternatives) => alternatives.length > 0);
}

/** A request checker for the journal (see the module comment). */
export async function createContractChecker(
  specPath: string = SPEC_PATH,
): Promise<RequestChecker & { contract: Contract }> {
  const contract = await loadContract(specPath);
  const doc = parseYaml(readFileSync(specPath, "utf8")) as OpenAPIV3_1.Document;
  const resourcesValidators = compileResourcesValidators(doc);
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
      const list = new ViolationList();
      if (needsToken(op) && !/^\s*bearer\s+\S+/i.test(request.headers.authorization ?? "")) {
        list.add({ location: "header.authorization", message: "the operation needs 'Authorization: bearer <token>'" });
      }
      for (const d of failures(validateInput(prismInput(op, request, list))) ?? []) {
        list.add({ location: (d.path ?? []).join(".") || "request", message: d.message });
      }
      const resources = request.multipart?.resources;
      if (resources && resourcesValidators) checkResources(resourcesValidators, resources, list);
      const violations = list.violations();
      return { operationId: op.iid ?? op.id ?? null, valid: violations.length === 0, violations };
    },
  };
}
