/**
 * Builds dist/ when it is missing or older than what scripts/build.mjs compiles, in a checkout
 * of the repository only (scripts/ is not shipped: a packed package always has its dist/).
 *
 * Used by bin/mock-packages.mjs, so that a fresh clone serves after `npm install` alone (the
 * package has no install script, see README "Development"), and by the tests' globalSetup.
 * Several commands may start at once on a fresh clone (`npx mock-packages &` and
 * `npx mock-packages token` in the README's curl session): a lock folder lets one build while
 * the others wait for it, since build.mjs empties dist/ first and a second build would pull
 * the files from under the first.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** What scripts/build.mjs reads: the compiled trees, the copied assets, and its own settings. */
export const BUILD_INPUTS = [
  "src",
  "fixtures",
  "spec/openapi.yaml",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
  "scripts/build.mjs",
];
/** What it writes: it empties dist/ first, so every one of these is as old as the last build. */
export const BUILD_OUTPUTS = [
  "dist/src/index.js",
  "dist/src/cli/main.js",
  "dist/fixtures/index.js",
  "dist/spec/openapi.yaml",
  "dist/fixtures/world.schema.json",
  "dist/fixtures/golden",
];

/** A build that waits longer than this for another one gives up (tsc takes seconds, not minutes). */
const LOCK_WAIT_MS = 180_000;

/** The latest change under a path (files and folders: a deleted or renamed file changes its folder); 0 if absent. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      if (entry !== "node_modules") latest = Math.max(latest, newest(join(path, entry)));
    }
  }
  return latest;
}

/** Whether dist/ under `root` is complete and newer than every input of the build. */
export function isBuilt(root) {
  let built = Infinity;
  for (const output of BUILD_OUTPUTS) {
    try {
      built = Math.min(built, statSync(join(root, output)).mtimeMs);
    } catch {
      return false;
    }
  }
  return BUILD_INPUTS.every((input) => newest(join(root, input)) < built);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Takes the build lock, or waits while a live process holds it. Returns a release function. */
async function lock(root) {
  const dir = join(root, "node_modules", ".cache", "mock-packages-build.lock");
  mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(dir); // atomic: exactly one process creates it
      writeFileSync(join(dir, "pid"), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(dir, "pid"), "utf8"));
    } catch {
      // Just created, pid not written yet: wait a moment like for a live holder.
    }
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      rmSync(dir, { recursive: true, force: true }); // a build that was killed: take over
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another build has held ${dir} for ${LOCK_WAIT_MS / 1000} s; remove it if no build runs`);
    }
    await sleep(100);
  }
}

/**
 * Builds dist/ under `root` unless it is up to date. `onBuild` is called just before a build
 * starts (for a note to the user). Returns whether it built. Throws with tsc's output when the
 * build fails.
 */
export async function ensureBuilt(root, { onBuild } = {}) {
  if (isBuilt(root)) return false;
  const release = await lock(root);
  try {
    if (isBuilt(root)) return false; // another process built it while we waited
    onBuild?.();
    const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) {
      throw new Error(`the build of dist/ failed (node scripts/build.mjs):\n${r.stdout}${r.stderr}`);
    }
    return true;
  } finally {
    release();
  }
}
