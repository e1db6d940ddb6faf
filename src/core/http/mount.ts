/**
 * Where a request lands inside the API when the API is served under a path (`internal.ts`
 * `mountAt`): its path with repeated slashes collapsed (as the router reads it) and the
 * mount removed.
 */
import { mountOf } from "../internal.js";

/** A base path as the options take it (`/api/cf`, `api/cf/`): one leading slash, no trailing one; `""` for the root. */
export function normalizeBasePath(raw: string, what: string): string {
  const base = `/${raw.trim()}`.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/.test(base) || /(^|\/)\.\.?(\/|$)/.test(base)) {
    throw new TypeError(
      `mock-packages: ${what} must be a path such as /api/cf (letters, digits and -._~ between slashes, no '.' or '..' segment, no ? or #), got ${JSON.stringify(raw)}`,
    );
  }
  return base;
}

/** `pathname` inside `base`: `/api/cf/v3` in `/api/cf` is `/v3`, `/api/cf` is `/`; null when outside. */
export function insideMount(pathname: string, base: string): string | null {
  const path = pathname.replace(/\/{2,}/g, "/");
  if (base === "") return path;
  if (path === base || path === `${base}/`) return "/";
  return path.startsWith(`${base}/`) ? path.slice(base.length) : null;
}

/** The request's path as the routes see it, or null when it lies outside the path the API is served under. */
export function routePathOf(request: Request, url: URL = new URL(request.url)): string | null {
  return insideMount(url.pathname, mountOf(request));
}
