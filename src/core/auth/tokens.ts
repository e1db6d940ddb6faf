/**
 * UAA-shaped bearer tokens: JWTs signed with HS256 by a key the CLI and the
 * server share without talking to each other (a documented default, or the
 * `--signing-key` flag / `signingKey` option).
 */

/**
 * jose, loaded on the first token minted or verified, through its narrow entry points (its root
 * loads every JOSE algorithm): some 25 modules that importing mock-packages need not pay for.
 */
const jose = {
  sign: () => import("jose/jwt/sign"),
  verify: () => import("jose/jwt/verify"),
};

/** The documented default signing key. Anyone can mint tokens with it: this is a mock. */
export const DEFAULT_SIGNING_KEY = "mock-packages-signing-key";

/** Scopes of a cf CLI password-grant token for a user without global roles. */
export const USER_SCOPES = [
  "openid",
  "cloud_controller.read",
  "cloud_controller.write",
  "uaa.user",
  "routing.router_groups.read",
  "network.write",
];

export interface TokenClaims {
  user_id: string;
  user_name: string;
  scope: string[];
  /** Seconds since the epoch. */
  exp: number;
  [claim: string]: unknown;
}

export interface MintTokenOptions {
  userId: string;
  userName: string;
  scope: readonly string[];
  /** Lifetime in seconds from `now`; negative gives an expired token. Default 3600. */
  expiresIn?: number;
  signingKey?: string;
  /** Milliseconds since the epoch. Default `Date.now()`. */
  now?: number;
  /** The token's id. Default `<user id>-<seconds>`. */
  jti?: string;
  /** The `iss` claim. Default `http://127.0.0.1/uaa/oauth/token`. */
  issuer?: string;
  /** More claims (e.g. `revocable`, `auth_time`), placed before `iat`. */
  extra?: Record<string, unknown>;
}

const keyBytes = (key: string) => new TextEncoder().encode(key);

/** Mints a token shaped like one the cf CLI gets from UAA. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = now + (options.expiresIn ?? 3600);
  const { SignJWT } = await jose.sign();
  return new SignJWT({
    jti: options.jti ?? `${options.userId}-${now}`,
    sub: options.userId,
    scope: [...options.scope],
    client_id: "cf",
    cid: "cf",
    azp: "cf",
    grant_type: "password",
    user_id: options.userId,
    origin: "uaa",
    user_name: options.userName,
    email: `${options.userName}@example.local`,
    ...options.extra,
    zid: "uaa",
    aud: ["cloud_controller", "openid", "uaa", "cf"],
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "mock-packages" })
    .setIssuedAt(Math.min(now, exp - 1))
    .setExpirationTime(exp)
    .setIssuer(options.issuer ?? "http://127.0.0.1/uaa/oauth/token")
    .sign(keyBytes(options.signingKey ?? DEFAULT_SIGNING_KEY));
}

/** Signs a complete claim set (claims in the order given) with HS256 and the simulator's header. */
export async function signClaims(claims: Record<string, unknown>, signingKey: string): Promise<string> {
  const { SignJWT } = await jose.sign();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "mock-packages" })
    .sign(keyBytes(signingKey));
}

/**
 * The claims of a token signed with `signingKey`, or why not: `expired` (with its claims), or
 * `invalid` (malformed, badly signed).
 */
export async function verifyClaims(
  token: string,
  signingKey: string,
  nowMs: number,
): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; reason: "expired" | "invalid" }> {
  try {
    const { jwtVerify } = await jose.verify();
    const { payload } = await jwtVerify(token, keyBytes(signingKey), {
      algorithms: ["HS256"],
      currentDate: new Date(nowMs),
    });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, reason: (error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "expired" : "invalid" };
  }
}

export type TokenCheck =
  { ok: true; claims: TokenClaims } | { ok: false; reason: "missing" } | { ok: false; reason: "invalid"; why: string };

/**
 * Reads `Authorization: bearer <token>`. The scheme word is matched without
 * regard to case (RFC 7235 §2.1): the cf CLI sends `bearer`, curl users type `Bearer`.
 */
export async function checkAuthorization(
  header: string | null,
  signingKey: string,
  nowMs: number,
  cache?: Map<string, TokenClaims>,
): Promise<TokenCheck> {
  if (header === null || header.trim() === "") return { ok: false, reason: "missing" };
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { ok: false, reason: "invalid", why: "the Authorization header is not 'bearer <token>'" };
  // A token whose signature was verified before needs only its expiry checked again.
  const known = cache?.get(match[1]!);
  if (known) {
    if (known.exp * 1000 > nowMs) return { ok: true, claims: known };
    cache!.delete(match[1]!);
    return { ok: false, reason: "invalid", why: "the token has expired" };
  }
  try {
    const { jwtVerify } = await jose.verify();
    const { payload } = await jwtVerify(match[1]!, keyBytes(signingKey), {
      algorithms: ["HS256"],
      currentDate: new Date(nowMs),
    });
    if (typeof payload.user_id !== "string" && typeof payload.sub !== "string") {
      return { ok: false, reason: "invalid", why: "the token has no user_id" };
    }
    const scope = Array.isArray(payload.scope)
      ? payload.scope.filter((s): s is string => typeof s === "string")
      : typeof payload.scope === "string"
        ? payload.scope.split(/\s+/)
        : [];
    const claims: TokenClaims = {
      ...payload,
      // A user_id that is not a string (a number, say) falls back to sub: claims.user_id is always a string.
      user_id: typeof payload.user_id === "string" ? payload.user_id : (payload.sub as string),
      user_name: typeof payload.user_name === "string" ? payload.user_name : "",
      scope,
      exp: payload.exp ?? Number.MAX_SAFE_INTEGER / 1000,
    };
    if (cache) {
      if (cache.size >= 10_000) cache.clear();
      cache.set(match[1]!, claims);
    }
    return { ok: true, claims };
  } catch (error) {
    const why =
      (error as { code?: string }).code === "ERR_JWT_EXPIRED"
        ? "the token has expired"
        : (error as { code?: string }).code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
          ? "the token's signature does not match the simulator's signing key"
          : "the token is not a well-formed JWT";
    return { ok: false, reason: "invalid", why };
  }
}
