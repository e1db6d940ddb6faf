#!/usr/bin/env node
// Runs test/msw.test.ts a second time with msw 3 on Node 24 (msw 3 needs Node 22.12 or later).
// Both come from the npm registry into test/msw3/node_modules, installed on first use from
// test/msw3/package-lock.json; the project's own Node and msw 2 stay as they are.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = join(root, "test/msw3");
const node24 = join(dir, "node_modules/.bin/node");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...options });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(node24) || !existsSync(join(dir, "node_modules/msw/package.json"))) {
  console.log("test-msw3: installing msw 3 and Node 24 into test/msw3/node_modules (first run only)");
  run(npm, ["ci", "--no-audit", "--no-fund", "--prefix", dir]);
}
run(node24, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", join(dir, "vitest.config.ts")], {
  cwd: root,
});
