/**
 * The `mock-packages` command: a client of the public API. `process.exit`
 * appears only in the bin; this returns an exit code.
 */
import { readFileSync } from "node:fs";
import type { Blobstore, SimulatorOptions } from "../core/options.js";
import { mintUserToken } from "../core/auth/user-tokens.js";
import { runServer } from "./serve-command.js";
import { adminAccess, adminFlagProblem } from "./admin-access.js";
import type { WorldData } from "../core/world/model.js";
import { SCENARIOS, type ScenarioSetting } from "../core/scenarios/catalog.js";
import { HELP } from "./help.js";
import { normalizeBasePath } from "../core/http/mount.js";
import { UsageError, parseFlags, type FlagName, type Flags } from "./flags.js";
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

function intFlag(label: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${label} takes a whole number of 0 or more, got '${value}'`);
  return Number(value);
}

/** Loads a world file; a bad one is a usage error naming the file, the place in it and what is wrong. */
async function loadWorld(file: string, label = "--world"): Promise<WorldData> {
  const { loadWorldFile, WorldFileError } = await import("../node/world-file.js");
  try {
    return await loadWorldFile(file);
  } catch (error) {
    if (error instanceof WorldFileError) throw new UsageError(`${label}: ${error.message}`);
    if ((error as { code?: string }).code === "ENOENT") throw new UsageError(`${label}: no such file: ${file}`);
    throw error;
  }
}

/** `--blobstore remote|local`; anything else is a usage error. */
function blobstoreFlag(label: string, value: string | undefined): Blobstore | undefined {
  if (value === undefined || value === "remote" || value === "local") return value;
  throw new UsageError(
    `${label} takes remote (downloads redirect to a signed blob URL) or local (downloads answer the zip), got '${value}'`,
  );
}

/** A flag's value through the scenario parser; its complaint becomes a usage error naming the flag. */
function scenarioFlag<T>(label: string, parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`${label}: ${error.message}`);
    throw error;
  }
}

/** Where a flag's value came from, for messages: `--port` or `MOCK_PACKAGES_PORT`. */
type From = (flag: FlagName) => string;

const COMMANDS = ["serve", "token", "scenarios", "help"];

/** `mock-packages scenarios`: a line on each. */
function scenariosTable(): string {
  const width = Math.max(...SCENARIOS.map((sc) => sc.name.length));
  return SCENARIOS.map((sc) => `${sc.name.padEnd(width)}  ${sc.status ?? "   "}  ${sc.description}`).join("\n");
}

/** `mock-packages scenarios --json`: the catalog as one JSON document, for scripts. */
function scenariosJson(): string {
  const catalog = SCENARIOS.map((sc) => ({
    name: sc.name,
    description: sc.description,
    options: sc.options,
    answers: {
      status: sc.status,
      error: sc.error ? `CF-${sc.error.name}` : null,
      before: sc.before ?? null,
      accepted: sc.accepted ?? "package",
      outcome: sc.outcome ?? "process",
    },
  }));
  return JSON.stringify({ scenarios: catalog }, null, 2);
}

export async function main(options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const say = (s: string) => stdout.write(s + "\n");
  try {
    const { values, positionals, from } = parseFlags(options.args, options.env ?? process.env);
    const command = positionals[0];
    if (values.help || command === "help") {
      stdout.write(HELP);
      return EXIT.OK;
    }
    if (values.version) {
      say(version());
      return EXIT.OK;
    }
    if (positionals.length > 1 || (command !== undefined && !COMMANDS.includes(command))) {
      throw new UsageError(`unknown command '${positionals.join(" ")}' (commands: ${COMMANDS.join(", ")})`);
    }
    if (command === "scenarios") {
      say(values.json ? scenariosJson() : scenariosTable());
      return EXIT.OK;
    }
    if (command === "token") {
      say(await token(values, from, stderr));
      return EXIT.OK;
    }
    const port = intFlag(from("port"), values.port) ?? 4010;
    if (port > 65535) throw new UsageError(`${from("port")} must be between 0 and 65535, got ${port}`);
    const problem = adminFlagProblem(values);
    if (problem) throw new UsageError(problem);
    const host = values.host ?? "127.0.0.1";
    const { adminOrigins, adminToken, generated } = adminAccess(values, host);
    const server = {
      port,
      host,
      basePath: basePathFlag(from("base-path"), values["base-path"]),
      quiet: !!values.quiet,
      adminTokenGenerated: generated,
      pidFile: values["pid-file"],
    };
    const simOptions = { ...(await simulatorOptions(values, from, stderr)), adminOrigins, adminToken };
    return await runServer(simOptions, server, options, say, stderr);
  } catch (error) {
    if (error instanceof UsageError) {
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

/** `--base-path /api/cf`: checked here, so that a bad one is a usage error naming where it came from. */
function basePathFlag(from: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return normalizeBasePath(value, from);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^mock-packages: /, ""));
  }
}

/** `mock-packages token --user NAME`: with a world file, the user's global role there decides the scopes. */
async function token(values: Flags, from: From, stderr: NodeJS.WritableStream): Promise<string> {
  if (!values.user) throw new UsageError("token needs --user NAME, e.g. mock-packages token --user space-developer");
  const world = values.world ? await loadWorld(values.world, from("world")) : undefined;
  const worldUser = world?.users.find((u) => u.name === values.user);
  if (world && !worldUser) {
    stderr.write(
      `mock-packages: ${values.world} has no user '${values.user}': the token is for a user with no roles.\n`,
    );
  }
  return mintUserToken(values.user, {
    expired: values.expired,
    expiresIn: intFlag("--expires-in", values["expires-in"]),
    scope: values.scope !== undefined ? values.scope.split(",").filter(Boolean) : undefined,
    globalRole: worldUser?.globalRole,
    signingKey: values["signing-key"],
    sandbox: values.sandbox,
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
async function simulatorOptions(values: Flags, from: From, stderr: NodeJS.WritableStream): Promise<SimulatorOptions> {
  const int = (flag: FlagName & keyof Flags) => intFlag(from(flag), values[flag] as string | undefined);
  return {
    seed: int("seed"),
    processingDelay: int("processing-delay"),
    signingKey: values["signing-key"],
    tokenTtl: int("token-ttl"),
    maxBodySize: int("max-body-size"),
    maxJsonBodySize: int("max-json-body-size"),
    journalMaxBytes: int("journal-max-bytes"),
    maxSandboxes: int("max-sandboxes"),
    sandboxIdleTimeout: int("sandbox-idle-timeout"),
    maxPackageSize: int("max-package-size"),
    resourceCacheMinSize: int("resource-cache-min-size"),
    resourceCacheMaxSize: int("resource-cache-max-size"),
    resourceCacheBudget: int("resource-cache-budget"),
    downloadLinkMethod: values["download-link-method"],
    blobstore: blobstoreFlag(from("blobstore"), values.blobstore),
    scenario:
      values.scenario === undefined
        ? undefined
        : scenarioFlag<ScenarioSetting>(from("scenario"), parseScenario, values.scenario),
    latency: values.latency === undefined ? undefined : scenarioFlag(from("latency"), parseLatency, values.latency),
    admin: !values["no-admin"],
    world: values.world ? await loadWorld(values.world, from("world")) : undefined,
    contract: values["contract-verdicts"] ? await contractChecker() : undefined,
    logger: (level, message, error) => {
      if (level === "info") return;
      stderr.write(
        `[mock-packages] ${level}: ${message}${error ? ` ${String((error as Error).stack ?? error)}` : ""}\n`,
      );
    },
  };
}
