/**
 * msw request handlers over a simulator, for `setupServer` (Node) and
 * `setupWorker` (browsers). They use only msw's stable surface (`http.all` and
 * the resolver's `request`), present in msw 2 and 3; the user's own msw is used.
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { createSimulator } from "mock-packages";
 * import { createHandlers } from "mock-packages/msw";
 * const sim = createSimulator({ processingDelay: 0 });
 * const server = setupServer(...createHandlers(sim, { origin: "https://api.example.local" }));
 */
import { http, type RequestHandler } from "msw";
import { markInPage } from "../core/internal.js";
import type { Simulator } from "../core/simulator.js";

export interface HandlerOptions {
  /**
   * The API's origin(s), e.g. `https://api.example.local`. Default: any origin (`*`), which
   * then matches `/v3`, `/v3/*`, `/v2`, `/v2/*`, `/blobstore/*`, `/login`, `/oauth/*` and
   * `/__mock/*` on every host; with an origin, its root `/` too. Unknown routes among these
   * answer `404 CF-NotFound`, as over HTTP; other paths pass (a page served from the API's
   * origin, as from a dev server, loads its own files there).
   */
  origin?: string | string[];
}

/**
 * Handlers that send every matching request to `simulator.handle`. Faults map to msw's own behaviour: a
 * network error is `Response.error()`. A request msw sees never left the page (or process) that sent it,
 * so the admin API takes it whatever the page's origin: no `adminOrigins` entry is needed for a dev server.
 */
export function createHandlers(simulator: Simulator, options: HandlerOptions = {}): RequestHandler[] {
  const origins =
    options.origin === undefined ? ["*"] : Array.isArray(options.origin) ? options.origin : [options.origin];
  const resolver = ({ request }: { request: Request }) => simulator.handle(markInPage(request));
  return origins.flatMap((raw) => {
    const origin = raw.replace(/\/+$/, "");
    const handlers = [
      http.all(`${origin}/v3`, resolver),
      http.all(`${origin}/v3/*`, resolver),
      http.all(`${origin}/__mock/*`, resolver),
      // The signed blob URLs downloads redirect to, so a client that follows the 302 gets the bits.
      http.all(`${origin}/blobstore/*`, resolver),
      // UAA on the same origin, where the root document's `login` link points.
      http.all(`${origin}/login`, resolver),
      http.all(`${origin}/oauth/*`, resolver),
    ];
    // The V2 API's paths too, so that a client's `GET /v2/info` gets the simulator's 404 CF-NotFound, as over HTTP.
    handlers.push(http.all(`${origin}/v2`, resolver), http.all(`${origin}/v2/*`, resolver));
    // Not every path of the origin: a page served from the API's origin (a dev server) loads its own files there.
    if (origin !== "*") handlers.push(http.all(`${origin}/`, resolver));
    return handlers;
  });
}
