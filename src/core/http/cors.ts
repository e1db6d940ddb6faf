/**
 * CORS, so that a page on another origin (a frontend's dev server) can call
 * the simulator: preflights are answered here, and every other answer to a
 * request with an `Origin` lets that origin read it.
 *
 * The Cloud Foundry API (`/`, `/v3/…`) is open to every page, as a foundation
 * configured for a browser frontend is: the page's origin is reflected, `null`
 * included (a page opened from a file, a sandboxed frame). Nothing there is
 * read with ambient credentials: a page needs a token of its own.
 *
 * The admin API (`/__mock/…`) changes what every client of the simulator sees
 * and shows the journal, so only the pages that {@link mayUseAdmin} allows get a
 * grant: a preflight from any other origin is refused (403, no grant), and an
 * answer to one carries no `Access-Control-Allow-Origin` (the route refuses the
 * request itself too, see `routes/admin-guard.ts`).
 */
import type { Answer } from "./answer.js";
import { cfErrorAnswer } from "./answer.js";
import { isAdminPath, mayUseAdmin, originRefused } from "./admin-origins.js";
import { routePathOf } from "./mount.js";

const ALLOW_HEADERS = "Authorization, Content-Type, Prefer, X-Requested-With, X-Mock-Sandbox";
const EXPOSE_HEADERS = "Location, X-VCAP-Request-ID, X-Mock-Packages-Detail";
/** What the admin API's clients send: its methods, JSON, the admin token, the header that marks a change. */
const ADMIN_METHODS = "GET, PUT, POST, DELETE, OPTIONS";
const ADMIN_HEADERS = "Authorization, Content-Type, X-Mock-Packages, X-Mock-Sandbox";

function preflight(origin: string, methods: string, headers: string): Answer {
  return {
    status: 204,
    headers: {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": methods,
      "Access-Control-Allow-Headers": headers,
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    },
    body: null,
  };
}

export function withCors(
  next: (request: Request) => Promise<Answer>,
  adminOrigins: readonly string[],
): (request: Request) => Promise<Answer> {
  return async (request) => {
    const origin = request.headers.get("origin");
    const admin = isAdminPath(routePathOf(request) ?? new URL(request.url).pathname);
    const granted = !admin || (origin !== null && mayUseAdmin(request, adminOrigins));
    if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      // A browser's preflight: for the CF API, allow the headers a client of it sends, Prefer included.
      if (!admin) {
        const asked = request.headers.get("access-control-request-headers");
        return preflight(origin ?? "*", "GET, POST, PUT, PATCH, DELETE, OPTIONS", asked ?? ALLOW_HEADERS);
      }
      if (!granted) {
        const refusal = cfErrorAnswer(originRefused(origin));
        refusal.headers.Vary = "Origin";
        return refusal;
      }
      return preflight(origin!, ADMIN_METHODS, ADMIN_HEADERS);
    }
    const answer = await next(request);
    if (origin !== null && granted && !answer.dropConnection) {
      answer.headers["Access-Control-Allow-Origin"] = origin;
      answer.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS;
    }
    if (origin !== null && !answer.dropConnection) {
      answer.headers.Vary = answer.headers.Vary ? `${answer.headers.Vary}, Origin` : "Origin";
    }
    return answer;
  };
}
