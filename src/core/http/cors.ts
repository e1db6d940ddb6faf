/**
 * CORS, so that a page on another origin (a frontend's dev server) can call
 * the simulator: preflights are answered here, and every other answer to a
 * request with an `Origin` lets that origin read it. The real controller's
 * CORS depends on the foundation's configuration; the simulator allows any
 * origin, since it serves one developer's machine.
 */
import type { Answer } from "./answer.js";

const ALLOW_HEADERS = "Authorization, Content-Type, Prefer, X-Requested-With";
const EXPOSE_HEADERS = "Location, X-VCAP-Request-ID, X-Mock-Packages-Detail";

export function withCors(next: (request: Request) => Promise<Answer>): (request: Request) => Promise<Answer> {
  return async (request) => {
    const origin = request.headers.get("origin");
    if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      // A browser's preflight: allow the headers a client of this API sends, Prefer included.
      return {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": origin ?? "*",
          "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers") ?? ALLOW_HEADERS,
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        },
        body: null,
      };
    }
    const answer = await next(request);
    if (origin !== null && !answer.dropConnection) {
      answer.headers["Access-Control-Allow-Origin"] = origin;
      answer.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS;
      answer.headers.Vary = answer.headers.Vary ? `${answer.headers.Vary}, Origin` : "Origin";
    }
    return answer;
  };
}
