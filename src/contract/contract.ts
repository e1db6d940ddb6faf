/**
 * Contract checks against `spec/openapi.yaml`, with @stoplight/prism-http:
 * a response is checked against the operation the document defines for its
 * method and path, and every violation is returned as data. The journal's
 * checks of requests are in request-checker.ts.
 */
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import type { IHttpOperation } from "@stoplight/types";
import { validateOutput } from "@stoplight/prism-http/dist/validator/index.js";

/** Path of the OpenAPI document that ships with the package. */
import { SPEC_PATH } from "./spec-path.js";

export { SPEC_PATH };

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
export function failures<L>(result: { _tag: "Left"; left: L } | { _tag: "Right" }): L | null {
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
