/**
 * Helpers of test/packaging.test.ts: pack the repository, install the tarball into projects
 * of their own outside it, and run commands there the way a user's shell would.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The environment of the commands: ours, without what npm and vitest set for the run we are in.
 * `npm_config_local_prefix` would make `npm install` write into the repository, `VITEST*` would
 * make the consumer's vitest think it runs inside ours. `npm_config_yes=false` keeps `npx` from
 * fetching a package of that name from the registry when the local one is missing: it fails.
 */
export const ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(VITEST|TEST$|INIT_CWD$|npm_(package_|lifecycle_|command$|config_local_prefix$|config_call$))/;
  for (const [name, value] of Object.entries(process.env)) if (!drop.test(name)) env[name] = value;
  return { ...env, NO_COLOR: "1", npm_config_yes: "false", npm_config_update_notifier: "false" };
})();

/**
 * Runs a command to its end (its output closed: background processes it started included)
 * and resolves with what it said. It runs as a process group of its own, so that a timeout
 * stops the command and everything it started, and nothing else.
 */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[packaging test] ${cmd} ${args.join(" ")} took over ${timeoutMs} ms: stopped\n`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A failure message with the command's output, for `expect(…, message)`. */
export const said = (what: string, r: RunResult) =>
  `${what} exited ${r.code}\n--- stdout ---\n${r.stdout.slice(-6000)}\n--- stderr ---\n${r.stderr.slice(-6000)}`;

/** Writes a package.json (ESM, private) with these devDependencies and runs `npm install` there. */
export async function installProject(dir: string, devDependencies: Record<string, string>): Promise<RunResult> {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: "mock-packages-consumer", private: true, type: "module", devDependencies };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const r = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir);
  if (r.code !== 0) throw new Error(said(`npm install in ${dir}`, r));
  return r;
}

const SHARED_PREFIX = "mock-packages-consumer-deps-";
const DAY = 24 * 3600 * 1000;

/**
 * The consumer project's third-party dependencies (msw, vitest, TypeScript, …), installed into
 * `node_modules` of a folder in the temporary directory that is kept for the day and reused by
 * later runs: the consumer projects are made inside it, so that Node and TypeScript find these
 * packages one folder up, as they would beside them. mock-packages itself is never there: each
 * run installs its own tarball into its own project. Keyed by the dependencies, Node's version
 * and the date (so that `typescript@5` is the newest 5.x again tomorrow). Several runs at once
 * (other worktrees) are safe: each installs into a staging folder of its own, and the first to
 * finish renames it into place; a folder under the key is therefore always a complete install.
 */
export async function sharedDependencies(
  devDependencies: Record<string, string>,
): Promise<{ dir: string; install: RunResult | null }> {
  const today = new Date().toISOString().slice(0, 10);
  const key = createHash("sha256")
    .update(JSON.stringify({ devDependencies, node: process.version, today }))
    .digest("hex")
    .slice(0, 16);
  const dir = join(tmpdir(), `${SHARED_PREFIX}${key}`);
  removeOldShared(dir);
  if (existsSync(dir)) return { dir, install: null };
  const staging = mkdtempSync(`${dir}-staging-`);
  try {
    const install = await installProject(staging, devDependencies);
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error; // another run was first: use its folder
    }
    return { dir, install };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Shared folders (and staging leftovers of killed runs) from two days ago or earlier. */
function removeOldShared(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(SHARED_PREFIX) || path === current) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 2 * DAY) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already (another run cleaned it)
    }
  }
}

/** Bytes of the files under a folder (their apparent sizes; links count as nothing). */
export function folderBytes(path: string): number {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + folderBytes(join(path, entry)), 0);
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ReadmeSample {
  /** Where the sample goes in the consumer project (the `<!-- tested: PATH -->` above it). */
  path: string;
  lang: string;
  code: string;
}

/** The README's code blocks marked `<!-- tested: PATH -->` on the line above them. */
export function readmeSamples(readmePath: string): ReadmeSample[] {
  const text = readFileSync(readmePath, "utf8");
  return [...text.matchAll(/^<!-- tested: (\S+) -->\n```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({
    path: m[1]!,
    lang: m[2]!,
    code: m[3]!,
  }));
}

/** The version of an installed package. */
export const installedVersion = (project: string, name: string): string =>
  (JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")) as { version: string })
    .version;
