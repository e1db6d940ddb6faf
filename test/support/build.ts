/**
 * vitest globalSetup: makes sure dist/ is built from the sources as they are now, so that the
 * tests that run the command (bin/mock-packages.mjs loads dist/) never run yesterday's build.
 *
 * `npm test` builds first (the typecheck of the examples reads dist/'s declarations), so here
 * the build is skipped when dist/ is complete and newer than every input of scripts/build.mjs;
 * otherwise (a plain `vitest run` after an edit) it builds as before.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** What scripts/build.mjs reads: the compiled trees, the copied assets, and its own settings. */
const INPUTS = [
  "src",
  "fixtures",
  "spec/openapi.yaml",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
  "scripts/build.mjs",
];
/** What it writes: it empties dist/ first, so every one of these is as old as the last build. */
const OUTPUTS = [
  "dist/src/index.js",
  "dist/src/cli/main.js",
  "dist/fixtures/index.js",
  "dist/spec/openapi.yaml",
  "dist/fixtures/world.schema.json",
  "dist/fixtures/golden",
];

/** The latest change under a path: files and folders (a deleted or renamed file changes its folder). */
function newest(path: string): number {
  const stat = statSync(path);
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      if (entry !== "node_modules") latest = Math.max(latest, newest(join(path, entry)));
    }
  }
  return latest;
}

function upToDate(): boolean {
  let built = Infinity;
  for (const output of OUTPUTS) {
    try {
      built = Math.min(built, statSync(join(root, output)).mtimeMs);
    } catch {
      return false;
    }
  }
  return INPUTS.every((input) => newest(join(root, input)) < built);
}

export default function setup(): void {
  if (upToDate()) return;
  const script = join(root, "scripts/build.mjs");
  const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`the build failed:\n${r.stdout}\n${r.stderr}`);
}
