/**
 * Who may drive the admin API under `/__mock/`, checked before each of its
 * routes, in this order:
 *
 * 1. A page of another origin only when it is allowed (`http/admin-origins.ts`):
 *    403 `CF-NotAuthorized` otherwise, so that neither a page on another site nor
 *    one that took over a name of this machine (DNS rebinding) reads or changes
 *    anything.
 * 2. The admin token, when the simulator has one (option `adminToken`; the
 *    command makes one when it listens beyond this machine):
 *    `Authorization: bearer <admin token>`, 401 otherwise.
 * 3. A change (`PUT`, `POST`, `DELETE`) from a browser page (a request with an
 *    `Origin`) carries a JSON body or the `X-Mock-Packages` header: neither can be
 *    sent without a preflight, so no form post or `text/plain` request from
 *    another site triggers one. 400 `CF-BadRequest` otherwise.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import type { Answer } from "../http/answer.js";
import { mayUseAdmin, originRefused } from "../http/admin-origins.js";

/** The header that marks a change to the admin API sent without a JSON body. */
export const ADMIN_HEADER = "x-mock-packages";

const CHANGES = new Set(["PUT", "POST", "DELETE", "PATCH"]);
const JSON_TYPE = /^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** A route of the admin API behind the checks above. */
export function guardAdmin(handler: (ctx: Context) => Promise<Answer>): (ctx: Context) => Promise<Answer> {
  return async (ctx) => {
    checkAdminRequest(ctx.request, ctx.services.options);
    return handler(ctx);
  };
}

export function checkAdminRequest(
  request: Request,
  options: { adminOrigins: readonly string[]; adminToken: string | null },
): void {
  const headers = request.headers;
  const origin = headers.get("origin");
  if (!mayUseAdmin(request, options.adminOrigins)) throw originRefused(origin);
  if (options.adminToken !== null) checkAdminToken(headers.get("authorization"), options.adminToken);
  if (
    origin !== null &&
    CHANGES.has(request.method.toUpperCase()) &&
    !JSON_TYPE.test(headers.get("content-type") ?? "") &&
    !headers.has(ADMIN_HEADER)
  ) {
    throw new CfError(
      "BadRequest",
      `a change to the admin API from a browser page needs a JSON body (Content-Type: application/json) or the header 'X-Mock-Packages: 1', so that no form or text/plain request from another site can make it`,
    );
  }
}

const WHERE =
  "The command prints the admin token at start when it listens beyond this machine (or takes it from --admin-token); in code it is the adminToken option";

function checkAdminToken(authorization: string | null, token: string): void {
  const sent = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (sent === undefined) {
    throw CfError.withDetail(
      "NotAuthenticated",
      `The admin API under /__mock/ needs the admin token: send 'Authorization: bearer <admin token>'. ${WHERE}.`,
    );
  }
  if (!sameText(sent, token)) {
    throw CfError.withDetail(
      "InvalidAuthToken",
      `That is not the admin token: send 'Authorization: bearer <admin token>'. ${WHERE}.`,
    );
  }
}

/** Compares in time that depends on the lengths only, not on where the texts differ. */
export function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return diff === 0;
}
