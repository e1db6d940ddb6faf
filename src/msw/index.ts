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
 * // or, for an API reached under a path: createHandlers(sim, { baseUrl: "http://localhost:5173/api/cf" })
 */
import { http, type RequestHandler } from "msw";
import { normalizeBasePath } from "../core/http/mount.js";
import { markInPage, mountAt } from "../core/internal.js";
import type { Simulator } from "../core/simulator.js";

export interface HandlerOptions {
  /**
   * The API's origin(s), e.g. `https://api.example.local`. Default: any origin (`*`), which
   * then matches `/v3`, `/v3/*`, `/v2`, `/v2/*`, `/blobstore/*`, `/login`, `/oauth/*` and
   * `/__mock/*` on every host, and the same under a sandbox's prefix `/sandboxes/:id`; with an
   * origin, its root `/` too. Unknown routes among these
   * answer `404 CF-NotFound`, as over HTTP; other paths pass (a page served from the API's
   * origin, as from a dev server, loads its own files there).
   */
  origin?: string | string[];
  /**
   * Where the API is when it is served under a path, e.g. `http://localhost:5173/api/cf` (a
   * frontend that reaches the CF API through its own backend). Every request under it goes to the
   * simulator (unknown routes answer `404 CF-NotFound`, as over HTTP with `--base-path`), the
   * admin API included (`…/api/cf/__mock/…`), and every link, `Location` and root document in
   * the answers carries the path. Without a path it is the same as `origin`. Both may be given.
   */
  baseUrl?: string | string[];
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Handlers that send every matching request to `simulator.handle`. Faults map to msw's own behaviour: a
 * network error is `Response.error()`. A request msw sees never left the page (or process) that sent it,
 * so the admin API takes it whatever the page's origin: no `adminOrigins` entry is needed for a dev server.
 */
export function createHandlers(simulator: Simulator, options: HandlerOptions = {}): RequestHandler[] {
  const mounts = list(options.baseUrl).map(splitBaseUrl);
  const origins = list(options.origin);
  if (origins.length === 0 && mounts.length === 0) origins.push("*");
  return [
    ...mounts.flatMap(({ origin, base }) =>
      base === "" ? originHandlers(simulator, origin) : mountHandlers(simulator, origin, base),
    ),
    ...origins.flatMap((raw) => originHandlers(simulator, raw.replace(/\/+$/, ""))),
  ];
}

/** `http://localhost:5173/api/cf/` → origin `http://localhost:5173`, base `/api/cf`. */
function splitBaseUrl(raw: string): { origin: string; base: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(
      `mock-packages: createHandlers' baseUrl must be an absolute URL such as http://localhost:5173/api/cf, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError(
      `mock-packages: createHandlers' baseUrl takes no query or fragment, got ${JSON.stringify(raw)}`,
    );
  }
  return { origin: url.origin, base: normalizeBasePath(url.pathname, "createHandlers' baseUrl path") };
}

/** Under a base path everything is the API's: the path itself and all below it. */
function mountHandlers(simulator: Simulator, origin: string, base: string): RequestHandler[] {
  const resolver = ({ request }: { request: Request }) => simulator.handle(mountAt(markInPage(request), base));
  return [http.all(`${origin}${base}`, resolver), http.all(`${origin}${base}/*`, resolver)];
}

function originHandlers(simulator: Simulator, origin: string): RequestHandler[] {
  const resolver = ({ request }: { request: Request }) => simulator.handle(markInPage(request));
  // The API's own paths, and the same under a sandbox's prefix (`/sandboxes/ID/v3/…`).
  return ["", "/sandboxes/:sandbox"].flatMap((prefix) => {
    const at = `${origin}${prefix}`;
    const handlers = [
      http.all(`${at}/v3`, resolver),
      http.all(`${at}/v3/*`, resolver),
      http.all(`${at}/__mock/*`, resolver),
      // The signed blob URLs downloads redirect to, so a client that follows the 302 gets the bits.
      http.all(`${at}/blobstore/*`, resolver),
      // UAA on the same origin, where the root document's `login` link points.
      http.all(`${at}/login`, resolver),
      http.all(`${at}/oauth/*`, resolver),
      // The V2 API's paths too, so that a client's `GET /v2/info` gets the simulator's 404 CF-NotFound, as over HTTP.
      http.all(`${at}/v2`, resolver),
      http.all(`${at}/v2/*`, resolver),
    ];
    // Not every path of the origin: a page served from the API's origin (a dev server) loads its own files there.
    if (origin !== "*") handlers.push(http.all(`${at}/`, resolver));
    else if (prefix !== "") handlers.push(http.all(`${at}`, resolver));
    return handlers;
  });
}
