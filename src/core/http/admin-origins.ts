/**
 * Which web pages may use the admin API under `/__mock/`: pages on this machine
 * (`http(s)://localhost`, `127.0.0.1` or `[::1]`, any port) and the origins given
 * with `--admin-origin` (option `adminOrigins`); never `null` (file:// pages,
 * sandboxed frames). A request without an `Origin` header does not come from a
 * page of another origin (browsers send one with every cross-origin request and
 * every POST, PUT and DELETE), and a request that msw answers inside the page
 * that sent it is the page's own.
 */
import { CfError } from "../errors.js";
import { isInPage } from "../internal.js";

/** Loopback names and addresses, as a hostname or a `--host`: localhost, 127.0.0.0/8, ::1. */
const LOOPBACK = /^(localhost|127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\]|::1)$/i;

/** Whether listening on `host` keeps the server on this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

/** `http(s)://host[:port]` exactly as a browser sends it in `Origin`, or null. */
function parseOrigin(text: string): URL | null {
  try {
    const url = new URL(text);
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== text) return null;
    return url;
  } catch {
    return null;
  }
}

/** Whether an `Origin` header names a page on this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  const url = parseOrigin(origin);
  return url !== null && isLoopbackHost(url.hostname);
}

/** The `adminOrigins` option, each origin as browsers send it; a TypeError names the one that is not an origin. */
export function resolveAdminOrigins(given: readonly string[] | undefined): string[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) throw new TypeError("mock-packages: option 'adminOrigins' must be an array of origins");
  return given.map((text) => {
    let url: URL | null = null;
    try {
      url = typeof text === "string" ? new URL(text.trim()) : null;
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new TypeError(
        `mock-packages: option 'adminOrigins': '${String(text)}' is not an origin; give scheme, host and port, e.g. https://dev.example.com:8443`,
      );
    }
    return url.origin;
  });
}

/** Whether a request with this `Origin` (null: none) may use the admin API. */
export function mayUseAdmin(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get("origin");
  if (origin === null || isInPage(request)) return true;
  return isLoopbackOrigin(origin) || allowed.includes(origin);
}

/** 403 for a page that may not use the admin API, saying how to allow it. */
export function originRefused(origin: string | null): CfError {
  const why =
    origin === null
      ? "A browser's preflight without an Origin header gets no CORS grant."
      : origin === "null"
        ? "Pages with an opaque origin (Origin: null: file:// pages, sandboxed frames) may never use it."
        : `Start the simulator with --admin-origin ${origin} (option adminOrigins) to let that page use it.`;
  return CfError.withDetail(
    "NotAuthorized",
    `The admin API under /__mock/ answers pages on localhost, 127.0.0.1 or [::1] only, and origins given with --admin-origin; this request came from ${origin ?? "no origin"}. ${why}`,
  );
}

/** Whether a path is the admin API's (before the router merges slashes). */
export function isAdminPath(pathname: string): boolean {
  return /^\/+__mock(\/|$)/.test(pathname);
}
