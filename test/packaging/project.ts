/**
 * Helpers of test/packaging.test.ts: pack the repository, install the tarball into projects
 * of their own outside it, and run commands there the way a user's shell would.
 */
import { spawn } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
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
