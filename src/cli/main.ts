/**
 * The `mock-packages` command: a client of the public API. `process.exit`
 * appears only in the bin; this returns an exit code.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { DEFAULTS, type Blobstore, type SimulatorOptions } from "../core/options.js";
import { mintUserToken } from "../core/auth/user-tokens.js";
import { DEFAULT_SIGNING_KEY } from "../core/auth/tokens.js";
import { runServer } from "./serve-command.js";
import { adminAccess, adminFlagProblem } from "./admin-access.js";
import type { WorldData } from "../core/world/model.js";
import { SCENARIOS, type ScenarioSetting } from "../core/scenarios/catalog.js";
import { ScenarioError, parseLatency, parseScenario } from "../core/scenarios/parse.js";

export { EXIT, type MainOptions } from "./main-options.js";
import { EXIT, type MainOptions } from "./main-options.js";

function version(): string {
  // From src/cli/ or dist/src/cli/: the nearest package.json above that is this package's.
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version: string };
      if (pkg.name === "mock-packages") return pkg.version;
    } catch {
      /* try the next level */
    }
  }
  return "unknown";
}

const HELP = `mock-packages: a faithful Cloud Foundry V3 package upload simulator

Usage:
  mock-packages [options]            serve the simulator over HTTP
  mock-packages token --user NAME    print a bearer token for a user (and nothing else)
  mock-packages scenarios            list the scenarios with a line on each

Server options:
  --port N                 port to listen on (default 4010; 0 picks a free one)
  --host H                 address to bind (default 127.0.0.1, this machine only; any other address
                           prints a warning and makes the admin API need a token, see --admin-token)
  --seed N                 seed of the fixture world and of guids (default ${DEFAULTS.seed})
  --processing-delay MS    time from an accepted upload to READY/FAILED (default ${DEFAULTS.processingDelay})
  --signing-key KEY        HS256 key tokens must be signed with (default: the documented "${DEFAULT_SIGNING_KEY}")
  --token-ttl SECONDS      lifetime of the access tokens POST /oauth/token mints (default ${DEFAULTS.tokenTtl},
                           UAA's); under 60 the cf CLI refreshes before every request
  --max-body-size BYTES    largest request body; larger gets 413 (default ${DEFAULTS.maxBodySize})
  --max-json-body-size BYTES  largest JSON request body (creates, resource matches, the admin API);
                           larger gets 413 (default ${DEFAULTS.maxJsonBodySize})
  --max-package-size BYTES largest unzipped package (default ${DEFAULTS.maxPackageSize})
  --resource-cache-min-size BYTES  smallest file the resource cache takes (default ${DEFAULTS.resourceCacheMinSize})
  --resource-cache-max-size BYTES  largest file the resource cache takes (default ${DEFAULTS.resourceCacheMaxSize})
  --resource-cache-budget BYTES    most bytes of files the resource cache keeps; the least recently
                                   used go first (default ${DEFAULTS.resourceCacheBudget})
  --download-link-method   add "method":"GET" to download links, as the seed document shows
  --blobstore remote|local how downloads answer (default remote): remote answers 302 with the Location
                           of a signed blob URL (no token needed, good for 3600 s), as S3, GCS, Azure and
                           WebDAV foundations do; local answers 200 with the zip (curl needs -L for remote)
  --scenario NAME          how uploads are answered (default cloud-controller; see 'mock-packages scenarios');
                           options after a semicolon, e.g. --scenario "slow; latency=300"
  --latency MS|MIN-MAX     latency of the 'slow' scenario (default 2000)
  --no-admin               do not serve the admin API under /__mock/
  --admin-origin URL       a page origin besides localhost/127.0.0.1/[::1] that may use the admin API
                           from a browser, e.g. https://dev.example.com:8443 (repeatable)
  --admin-token TOKEN      the admin API needs 'Authorization: bearer TOKEN' (default: none on
                           127.0.0.1; with another --host, a random token printed at start)
  --admin-open             with another --host, no admin token: anyone on the network may drive it
  --journal-max-bytes BYTES  most bytes the request journal keeps, the oldest entries go first
                           (default ${DEFAULTS.journalMaxBytes}; GET /__mock/journal counts the dropped)
  --contract-verdicts      check each request against spec/openapi.yaml for the journal
                           (GET /__mock/journal); loads Prism, which must be installed beside mock-packages
                           (npm install -D @stoplight/prism-http@5.12.0): about 1 s more start-up, 100 MB more memory
  --world FILE             start on your own world (YAML or JSON, schema: fixtures/world.schema.json)
  --quiet                  no per-request log lines

Token options:
  --user NAME              a fixture user: admin, admin-read-only, global-auditor, space-developer,
                           space-manager, space-auditor, space-supporter, org-manager, org-auditor,
                           org-billing-manager, no-role (any other name is a user with no roles)
  --expired                a token that expired an hour ago (the server answers 401 CF-InvalidAuthToken)
  --scope LIST             comma-separated scopes instead of the user's defaults
  --expires-in SECONDS     lifetime (default 3600)
  --signing-key KEY        as above; must match the server's
  --world FILE             take the user's global role (and so the scopes) from this world file

  -h, --help               show this help
  -v, --version            print the version

Examples:
  npx mock-packages --port 4010
  TOKEN=$(npx mock-packages token --user space-developer)
  curl -H "Authorization: bearer $TOKEN" http://127.0.0.1:4010/v3/packages
`;

class UsageError extends Error {}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number of 0 or more, got '${value}'`);
  return Number(value);
}

/** Loads a world file; a bad one is a usage error naming the file, the place in it and what is wrong. */
async function loadWorld(file: string): Promise<WorldData> {
  const { loadWorldFile, WorldFileError } = await import("../node/world-file.js");
  try {
    return await loadWorldFile(file);
  } catch (error) {
    if (error instanceof WorldFileError) throw new UsageError(`--world: ${error.message}`);
    if ((error as { code?: string }).code === "ENOENT") throw new UsageError(`--world: no such file: ${file}`);
    throw error;
  }
}

/** `--blobstore remote|local`; anything else is a usage error. */
function blobstoreFlag(value: string | undefined): Blobstore | undefined {
  if (value === undefined || value === "remote" || value === "local") return value;
  throw new UsageError(
    `--blobstore takes remote (downloads redirect to a signed blob URL) or local (downloads answer the zip), got '${value}'`,
  );
}

/** A flag's value through the scenario parser; its complaint becomes a usage error naming the flag. */
function scenarioFlag<T>(flag: string, parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`--${flag}: ${error.message}`);
    throw error;
  }
}

/** The flags of every command; `parseArgs` refuses any other. */
const FLAGS = {
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
  user: { type: "string" },
  expired: { type: "boolean" },
  scope: { type: "string" },
  "expires-in": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>["values"];

export async function main(options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const say = (s: string) => stdout.write(s + "\n");
  try {
    const { values, positionals } = parseArgs({
      args: options.args,
      allowPositionals: true,
      strict: true,
      options: FLAGS,
    });
    if (values.help) {
      stdout.write(HELP);
      return EXIT.OK;
    }
    if (values.version) {
      say(version());
      return EXIT.OK;
    }
    const command = positionals[0];
    if (positionals.length > 1 || (command !== undefined && !["token", "serve", "scenarios"].includes(command))) {
      throw new UsageError(`unknown command '${positionals.join(" ")}' (commands: serve, token, scenarios)`);
    }
    if (command === "scenarios") {
      const width = Math.max(...SCENARIOS.map((sc) => sc.name.length));
      for (const sc of SCENARIOS) say(`${sc.name.padEnd(width)}  ${sc.status ?? "   "}  ${sc.description}`);
      return EXIT.OK;
    }
    if (command === "token") {
      say(await token(values, stderr));
      return EXIT.OK;
    }
    const port = intFlag("port", values.port) ?? 4010;
    if (port > 65535) throw new UsageError(`--port must be between 0 and 65535, got ${port}`);
    const problem = adminFlagProblem(values);
    if (problem) throw new UsageError(problem);
    const host = values.host ?? "127.0.0.1";
    const { adminOrigins, adminToken, generated } = adminAccess(values, host);
    const server = { port, host, quiet: !!values.quiet, adminTokenGenerated: generated };
    const simOptions = { ...(await simulatorOptions(values, stderr)), adminOrigins, adminToken };
    return await runServer(simOptions, server, options, say, stderr);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      stderr.write(`mock-packages: ${(error as Error).message}\nRun 'mock-packages --help' for the options.\n`);
      return EXIT.USAGE;
    }
    if (error instanceof TypeError && error.message.startsWith("mock-packages:")) {
      stderr.write(`${error.message}\nRun 'mock-packages --help' for the options.\n`);
      return EXIT.USAGE;
    }
    throw error;
  }
}

/** `mock-packages token --user NAME`: with a world file, the user's global role there decides the scopes. */
async function token(values: Flags, stderr: NodeJS.WritableStream): Promise<string> {
  if (!values.user) throw new UsageError("token needs --user NAME, e.g. mock-packages token --user space-developer");
  const world = values.world ? await loadWorld(values.world) : undefined;
  const worldUser = world?.users.find((u) => u.name === values.user);
  if (world && !worldUser) {
    stderr.write(
      `mock-packages: ${values.world} has no user '${values.user}': the token is for a user with no roles.\n`,
    );
  }
  return mintUserToken(values.user, {
    expired: values.expired,
    expiresIn: intFlag("expires-in", values["expires-in"]),
    scope: values.scope !== undefined ? values.scope.split(",").filter(Boolean) : undefined,
    globalRole: worldUser?.globalRole,
    signingKey: values["signing-key"],
  });
}

/** The checker of --contract-verdicts; without Prism installed, a usage error that says what to install. */
async function contractChecker() {
  const { createContractChecker } = await import("../contract/index.js");
  const { PRISM } = await import("../contract/with-prism.js");
  try {
    return await createContractChecker();
  } catch (error) {
    if ((error as Error).message.includes(`needs ${PRISM}`)) {
      throw new UsageError(`--contract-verdicts: ${(error as Error).message.replace(/^mock-packages\/contract /, "")}`);
    }
    throw error;
  }
}

/** The simulator's options from the server flags. */
async function simulatorOptions(values: Flags, stderr: NodeJS.WritableStream): Promise<SimulatorOptions> {
  return {
    seed: intFlag("seed", values.seed),
    processingDelay: intFlag("processing-delay", values["processing-delay"]),
    signingKey: values["signing-key"],
    tokenTtl: intFlag("token-ttl", values["token-ttl"]),
    maxBodySize: intFlag("max-body-size", values["max-body-size"]),
    maxJsonBodySize: intFlag("max-json-body-size", values["max-json-body-size"]),
    journalMaxBytes: intFlag("journal-max-bytes", values["journal-max-bytes"]),
    maxPackageSize: intFlag("max-package-size", values["max-package-size"]),
    resourceCacheMinSize: intFlag("resource-cache-min-size", values["resource-cache-min-size"]),
    resourceCacheMaxSize: intFlag("resource-cache-max-size", values["resource-cache-max-size"]),
    resourceCacheBudget: intFlag("resource-cache-budget", values["resource-cache-budget"]),
    downloadLinkMethod: values["download-link-method"],
    blobstore: blobstoreFlag(values.blobstore),
    scenario:
      values.scenario === undefined
        ? undefined
        : scenarioFlag<ScenarioSetting>("scenario", parseScenario, values.scenario),
    latency: values.latency === undefined ? undefined : scenarioFlag("latency", parseLatency, values.latency),
    admin: !values["no-admin"],
    world: values.world ? await loadWorld(values.world) : undefined,
    contract: values["contract-verdicts"] ? await contractChecker() : undefined,
    logger: (level, message, error) => {
      if (level === "info") return;
      stderr.write(
        `[mock-packages] ${level}: ${message}${error ? ` ${String((error as Error).stack ?? error)}` : ""}\n`,
      );
    },
  };
}
