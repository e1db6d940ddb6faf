/**
 * The command's part of guarding the admin API: the flags (`--admin-origin`,
 * `--admin-token`, `--admin-open`) as simulator options, an admin token made at
 * start when the server listens beyond this machine, and what the command says
 * about it. The rules themselves live in the core (`adminOrigins`, `adminToken`).
 */
import { randomBytes } from "node:crypto";
import { isLoopbackHost, resolveAdminOrigins } from "../core/http/admin-origins.js";
import { DEFAULT_SIGNING_KEY } from "../core/auth/tokens.js";

export interface AdminFlags {
  "admin-origin"?: string[];
  "admin-token"?: string;
  "admin-open"?: boolean;
  "no-admin"?: boolean;
}

export interface AdminAccess {
  adminOrigins: string[] | undefined;
  /** The token the admin API needs, if any. */
  adminToken: string | undefined;
  /** True when the command made the token (it is then printed), false when `--admin-token` gave it. */
  generated: boolean;
}

/** What is wrong with the admin flags, as a usage message; null when nothing is. */
export function adminFlagProblem(flags: AdminFlags): string | null {
  if (flags["admin-open"] && flags["admin-token"] !== undefined) {
    return "--admin-open and --admin-token contradict each other: give a token to require it, or --admin-open to require none";
  }
  if (flags["admin-token"] !== undefined && !/^[\x21-\x7e]+$/.test(flags["admin-token"])) {
    return "--admin-token takes a non-empty token of visible ASCII characters without spaces";
  }
  for (const origin of flags["admin-origin"] ?? []) {
    try {
      resolveAdminOrigins([origin]);
    } catch {
      return `--admin-origin takes an origin (scheme, host and port), e.g. --admin-origin https://dev.example.com:8443; got '${origin}'`;
    }
  }
  return null;
}

/** The admin options for a server on `host`: beyond this machine, a random token unless told otherwise. */
export function adminAccess(flags: AdminFlags, host: string): AdminAccess {
  const adminOrigins = flags["admin-origin"];
  if (flags["admin-token"] !== undefined) return { adminOrigins, adminToken: flags["admin-token"], generated: false };
  if (isLoopbackHost(host) || flags["admin-open"] || flags["no-admin"]) {
    return { adminOrigins, adminToken: undefined, generated: false };
  }
  // Random, not from --seed: a seed is shared with the tests, and anyone could work the token out from it.
  return { adminOrigins, adminToken: randomBytes(24).toString("base64url"), generated: true };
}

/**
 * The paragraph printed to stderr when the server listens beyond this machine: what is
 * reachable from the network, and how to keep it local. Null on a loopback host.
 */
export function exposureWarning(
  host: string,
  options: { admin: boolean; adminToken: string | undefined; generated: boolean; signingKey: string | undefined },
): string | null {
  if (isLoopbackHost(host)) return null;
  const key =
    options.signingKey === undefined
      ? `anyone who can reach it can mint tokens with the documented signing key ('${DEFAULT_SIGNING_KEY}'; set your own with --signing-key) and upload, read and delete packages`
      : "anyone who can reach it can use the Cloud Foundry API with a token signed by your --signing-key";
  const admin = !options.admin
    ? "The admin API is off (--no-admin)."
    : options.adminToken === undefined
      ? "The admin API under /__mock/ (scenarios, reset, the request journal with its requests) is open to all of them (--admin-open)."
      : `The admin API under /__mock/ (scenarios, reset, the request journal) needs the admin token ${
          options.generated ? "printed below" : "given with --admin-token"
        }: send 'Authorization: bearer <admin token>'.`;
  return wrap(
    `mock-packages: WARNING: listening on ${host}, this simulator is reachable from other machines on the network: ${key}. ${admin} Use --host 127.0.0.1 to keep it on this machine.`,
  );
}

/** The banner's line on the admin token, or null when there is none. */
export function adminTokenLine(access: Pick<AdminAccess, "adminToken" | "generated">): string | null {
  if (access.adminToken === undefined) return null;
  const token = access.generated ? access.adminToken : "the one given with --admin-token";
  return `Admin token: ${token} (the admin API under /__mock/ needs 'Authorization: bearer <admin token>')`;
}

/** Text wrapped at 88 columns, for a terminal. */
function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
