/**
 * The command line's flags: the list, their parsing with usage errors in the
 * project's own words, and the environment variables that stand in for the
 * server flags (`MOCK_PACKAGES_PORT` for `--port`; a flag wins over its variable).
 */
import { parseArgs } from "node:util";

export class UsageError extends Error {}

/** The flags of every command; `parseArgs` refuses any other. */
export const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  seed: { type: "string" },
  "processing-delay": { type: "string" },
  "signing-key": { type: "string" },
  "token-ttl": { type: "string" },
  "max-body-size": { type: "string" },
  "max-json-body-size": { type: "string" },
  "journal-max-bytes": { type: "string" },
  "max-package-size": { type: "string" },
  "resource-cache-min-size": { type: "string" },
  "resource-cache-max-size": { type: "string" },
  "resource-cache-budget": { type: "string" },
  "download-link-method": { type: "boolean" },
  blobstore: { type: "string" },
  quiet: { type: "boolean" },
  scenario: { type: "string" },
  latency: { type: "string" },
  "no-admin": { type: "boolean" },
  "admin-origin": { type: "string", multiple: true },
  "admin-token": { type: "string" },
  "admin-open": { type: "boolean" },
  "contract-verdicts": { type: "boolean" },
  world: { type: "string" },
  "pid-file": { type: "string" },
  "base-path": { type: "string" },
  "max-sandboxes": { type: "string" },
  "sandbox-idle-timeout": { type: "string" },
  sandbox: { type: "string" },
  user: { type: "string" },
  expired: { type: "boolean" },
  scope: { type: "string" },
  "expires-in": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export type FlagName = keyof typeof FLAGS;
export type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>["values"];

/** The flags that are not the server's: no environment variable stands in for them. */
const NOT_FROM_ENV = new Set<FlagName>([
  "user",
  "expired",
  "scope",
  "expires-in",
  "sandbox",
  "json",
  "help",
  "version",
]);

/** `--max-body-size` → `MOCK_PACKAGES_MAX_BODY_SIZE`. */
export function envName(flag: FlagName): string {
  return `MOCK_PACKAGES_${flag.toUpperCase().replace(/-/g, "_")}`;
}

export interface ParsedArgs {
  values: Flags;
  positionals: string[];
  /** How to name where a flag's value came from in a message: `--port` or `MOCK_PACKAGES_PORT`. */
  from(flag: FlagName): string;
}

/** Parses the arguments, then fills the server flags the command line left out from the environment. */
export function parseFlags(args: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: FLAGS });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code?.startsWith("ERR_PARSE_ARGS_")) throw new UsageError(parseProblem(code, (error as Error).message));
    throw error;
  }
  const values = parsed.values as Record<string, unknown>;
  const fromEnv = new Set<FlagName>();
  for (const flag of Object.keys(FLAGS) as FlagName[]) {
    const raw = env[envName(flag)];
    if (NOT_FROM_ENV.has(flag) || values[flag] !== undefined || raw === undefined || raw === "") continue;
    values[flag] = envValue(flag, raw);
    fromEnv.add(flag);
  }
  return {
    values: values as Flags,
    positionals: parsed.positionals,
    from: (flag) => (fromEnv.has(flag) ? envName(flag) : `--${flag}`),
  };
}

function envValue(flag: FlagName, raw: string): string | boolean | string[] {
  const spec = FLAGS[flag] as { type: string; multiple?: boolean };
  if (spec.type === "boolean") {
    const value = raw.trim().toLowerCase();
    if (value === "1" || value === "true") return true;
    if (value === "0" || value === "false") return false;
    throw new UsageError(`${envName(flag)} takes 1, true, 0 or false, got '${raw}'`);
  }
  if (spec.multiple)
    return raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}

/** Node's parseArgs complaint, said again: which flag, what was expected. */
function parseProblem(code: string, message: string): string {
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const guess = closestFlag(flag.replace(/^-+/, "").split("=")[0]!);
    const hint = guess ? `; did you mean --${guess}?` : "";
    return `unknown option ${flag}${hint}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return `${flag} is an on/off option and takes no value`;
    if (message.includes("ambiguous")) {
      return `${flag} needs a value, and the next argument is an option (a value starting with a dash: ${flag}=-VALUE)`;
    }
    return `${flag} needs a value`;
  }
  return message.split("\n")[0]!;
}

/** The known flag nearest to `name`, when it is near enough to be a typo. */
export function closestFlag(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const flag of Object.keys(FLAGS)) {
    const d = distance(name, flag);
    if (d < bestDistance) [best, bestDistance] = [flag, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}
