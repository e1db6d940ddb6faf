/**
 * What the journal keeps of a request's credentials: nothing. Every header and
 * query parameter that can carry one is redacted, whatever its form; where a
 * value starts with an authentication scheme the scheme word stays visible
 * (`bearer [redacted]`, `bearer[redacted]` when the space was missing), and a
 * cookie keeps its names (`session=[redacted]`), so a journal still shows what
 * kind of credential a client sent and how.
 */

import { setOwn } from "../validation.js";

export const REDACTED = "[redacted]";

/** Headers that carry credentials by name. */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-auth-token",
  "x-api-key",
]);
/** Any header or parameter whose name contains one of these carries a credential too. */
const SECRET_PARTS = /token|secret|passw|session|api-?key|api_key|credential|signature/i;
/** Query (and path) parameters that carry credentials by name (OAuth, signed URLs, …). */
const SECRET_PARAMS = new Set(["code", "key", "sig", "auth", "jwt", "ticket", "x-amz-credential"]);
/** Authentication schemes (the IANA registry and a few common ones) whose word is kept. */
const SCHEMES =
  /^(bearer|basic|digest|negotiate|ntlm|hoba|mutual|scram-sha-1|scram-sha-256|vapid|aws4-hmac-sha256|token|dpop|gnap|privatetoken|concealed)(?=\s|$)|^(bearer|basic|token)(?=\S)/i;

/** Whether a header of this name (lower case) carries a credential. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name) || SECRET_PARTS.test(name);
}

/** Whether a query or path parameter of this name carries a credential. */
export function isSecretParam(name: string): boolean {
  return SECRET_PARAMS.has(name.toLowerCase()) || SECRET_PARTS.test(name);
}

/** A credential with its scheme word kept: `bearer [redacted]`, `bearer[redacted]`, or `[redacted]` alone. */
export function redactCredential(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "") return value;
  const scheme = SCHEMES.exec(trimmed);
  if (!scheme) return REDACTED;
  const word = scheme[0];
  const rest = trimmed.slice(word.length);
  // A scheme word alone carries nothing to hide.
  if (rest.trim() === "") return word;
  return /^\s/.test(rest) ? `${word} ${REDACTED}` : `${word}${REDACTED}`;
}

/** `a=1; b=2` → `a=[redacted]; b=[redacted]`: the names stay, the values go. */
function redactCookies(value: string): string {
  return value
    .split(";")
    .map((pair) => {
      const eq = pair.indexOf("=");
      // A pair without a name is all value: only its leading space stays.
      return eq === -1 ? pair.replace(/\S.*$/s, REDACTED) : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join(";");
}

/** Request headers for the journal: lower-case names, every credential redacted. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    const kept = !isSecretHeader(key)
      ? value
      : key === "cookie" || key === "set-cookie"
        ? redactCookies(value)
        : redactCredential(value);
    setOwn(out, key, kept);
  });
  return out;
}

/**
 * `name=value` pairs joined by `separator` (`&` in a query, `;` in a path segment),
 * with the values of credential parameters replaced. The text is kept as sent
 * otherwise: names stay encoded, order and empty pairs stay.
 */
function redactPairs(text: string, separator: string): string {
  return text
    .split(separator)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq === -1 ? pair : pair.slice(0, eq);
      if (eq === -1 || !isSecretParam(safeDecode(name.replace(/\+/g, " ")))) return pair;
      return `${name}=${REDACTED}`;
    })
    .join(separator);
}

/** A URL's query (`?…`, or empty) for the journal, credential parameters redacted. */
export function redactQuery(search: string): string {
  if (search.length <= 1) return search;
  return "?" + redactPairs(search.slice(1), "&");
}

/** A URL's path for the journal: path parameters (`/x;jsessionid=…`) that carry credentials redacted. */
export function redactPath(pathname: string): string {
  if (!pathname.includes(";")) return pathname;
  return pathname
    .split("/")
    .map((segment) => {
      const semi = segment.indexOf(";");
      return semi === -1 ? segment : segment.slice(0, semi + 1) + redactPairs(segment.slice(semi + 1), ";");
    })
    .join("/");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A request target (`/path?query`) for a log line, credential parameters redacted as in the journal. */
export function redactTarget(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? redactPath(target) : redactPath(target.slice(0, q)) + redactQuery(target.slice(q));
}

/**
 * A JSON (or any) answer's text for the journal with the values of secret keys replaced: UAA's
 * `access_token`, `refresh_token`, `id_token`, a `client_secret`, a `password`. Done on the text,
 * so that a body cut at the journal's prefix is redacted too. `token_type` (`"bearer"`) stays.
 */
export function redactJsonSecrets(text: string): string {
  if (!SECRET_PARTS.test(text)) return text;
  return text.replace(/"([^"\\]*)"(\s*:\s*)"(?:[^"\\]|\\.)*"/g, (pair, key: string, colon: string) =>
    key !== "token_type" && SECRET_PARTS.test(key) ? `"${key}"${colon}"${REDACTED}"` : pair,
  );
}

/**
 * An answer's headers for the journal: lower-case names, credentials redacted as in requests,
 * and a `Location` that is a signed blob URL with its `signature` redacted.
 */
export function redactAnswerHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const kept = key === "location" ? redactLocation(value) : isSecretHeader(key) ? redactCredential(value) : value;
    setOwn(out, key, kept);
  }
  return out;
}

function redactLocation(value: string): string {
  const q = value.indexOf("?");
  return q === -1 ? value : value.slice(0, q) + redactQuery(value.slice(q));
}
