/**
 * Which sandbox a request is for. Three ways name one, read in this order:
 *
 * 1. its token's `mock_sandbox` claim (tokens minted for a sandbox: the client does not change);
 * 2. the path prefix `/sandboxes/ID/…` (under the base path, if any);
 * 3. the header `X-Mock-Sandbox: ID`.
 *
 * Those present must agree (400 CF-BadRequest naming both otherwise). A request that names none
 * goes to the default sandbox, as does one naming `default`. The sandbox named must exist: a token's
 * is 401 CF-InvalidAuthToken (the token is no good any more: get another), a prefix's or header's is
 * 404 CF-NotFound, each with a detail naming the sandbox.
 */
import { CfError } from "../errors.js";
import { routePathOf } from "../http/mount.js";

/** The header that names a sandbox. */
export const SANDBOX_HEADER = "x-mock-sandbox";
/** The token claim that names a sandbox. */
export const SANDBOX_CLAIM = "mock_sandbox";
/** The id of the server's own state, the sandbox every request goes to unless it names another. */
export const DEFAULT_SANDBOX = "default";

export type SandboxWay = "token" | "prefix" | "header";

export interface SandboxChoice {
  id: string;
  /** When the prefix named it: the prefix, for the mount (`/sandboxes/ID`). */
  prefix: string | null;
  way: SandboxWay;
}

const PREFIX = /^\/sandboxes\/([^/]+)(?=\/|$)/;

/** The sandbox a request names, or null for the default; throws a CfError when the ways disagree. */
export function chooseSandbox(request: Request, url: URL, claims: ClaimReader): SandboxChoice | null {
  const named: { way: SandboxWay; id: string; prefix: string | null }[] = [];
  const claim = claims.sandboxOf(request.headers.get("authorization"));
  if (claim !== null) named.push({ way: "token", id: claim, prefix: null });
  const inside = routePathOf(request, url);
  const prefix = inside === null ? null : PREFIX.exec(inside);
  if (prefix) named.push({ way: "prefix", id: safeDecode(prefix[1]!), prefix: prefix[0] });
  const header = request.headers.get(SANDBOX_HEADER);
  if (header !== null && header.trim() !== "") named.push({ way: "header", id: header.trim(), prefix: null });
  if (named.length === 0) return null;
  const first = named[0]!;
  const other = named.find((n) => n.id !== first.id);
  if (other) {
    throw CfError.withDetail(
      "BadRequest",
      `This request names two sandboxes: '${first.id}' by ${describeWay(first.way)} and '${other.id}' by ${describeWay(other.way)}. Name one (or the same one each way).`,
    );
  }
  return { id: first.id, prefix: named.find((n) => n.prefix !== null)?.prefix ?? null, way: first.way };
}

function describeWay(way: SandboxWay): string {
  if (way === "token") return "its token's mock_sandbox claim";
  return way === "prefix" ? "its path prefix /sandboxes/ID" : "the X-Mock-Sandbox header";
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The error for a sandbox that is not there, by the way it was named. */
export function missingSandbox(choice: SandboxChoice): CfError {
  const how = "Create one with POST /__mock/sandboxes; GET /__mock/sandboxes lists those that exist.";
  if (choice.way === "token") {
    return CfError.withDetail(
      "InvalidAuthToken",
      `Invalid Auth Token: it was minted for sandbox '${choice.id}', which does not exist (deleted, expired after being idle, or never created). ${how}`,
    );
  }
  return CfError.withDetail(
    "NotFound",
    `Unknown request: there is no sandbox '${choice.id}' (named by ${describeWay(choice.way)}). ${how}`,
  );
}

/**
 * Reads the sandbox claim of a bearer token without checking its signature: only the sandbox
 * chosen checks the token (all share the signing key), so a forged claim reaches a sandbox that
 * refuses it. The claim of each token text is kept, so a client's repeated token is read once.
 */
export class ClaimReader {
  private readonly seen = new Map<string, string | null>();

  sandboxOf(authorization: string | null): string | null {
    if (authorization === null) return null;
    const token = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (token === undefined) return null;
    let claim = this.seen.get(token);
    if (claim === undefined) {
      claim = readClaim(token);
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.set(token, claim);
    }
    return claim;
  }
}

function readClaim(token: string): string | null {
  const payload = token.split(".")[1];
  if (payload === undefined || payload.length > 16_384) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const value = (JSON.parse(json) as Record<string, unknown> | null)?.[SANDBOX_CLAIM];
    return typeof value === "string" && value !== "" ? value : null;
  } catch {
    return null;
  }
}
