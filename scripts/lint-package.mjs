#!/usr/bin/env node
/**
 * Checks the package as npm publishes it: packs the project into a temporary folder and
 * runs publint and @arethetypeswrong/cli (attw) on the tarball; exits non-zero when
 * either reports an error. Needs dist/ (npm run build; npm test builds first).
 *
 * attw checks every resolution (node10, node16 from CJS and from ESM, bundler) but ignores
 * its `cjs-resolves-to-esm` rule: the package is ESM only on purpose (README), so a CommonJS
 * `require` meets an ES module (Node 20.19+/22.12+ load it; older ones need `import()`).
 * node10 finds the declarations through `typesVersions`.
 * `./spec/openapi.yaml` is excluded: attw resolves only JavaScript, declarations and JSON,
 * and reports any other file as "Resolution failed" although Node resolves it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(join(root, "dist/src/index.js"))) {
  console.error("lint:package: dist/ is missing; run npm run build first");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "mock-packages-pack-"));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
try {
  execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith(".tgz")),
  );
  run("npx", ["--no-install", "publint", "run", tarball, "--strict"]);
  run("npx", [
    "--no-install",
    "attw",
    tarball,
    "--ignore-rules",
    "cjs-resolves-to-esm",
    "--exclude-entrypoints",
    "./spec/openapi.yaml",
    "--format",
    "table-flipped",
  ]);
} catch (error) {
  console.error(`lint:package: ${error.message.split("\n")[0]}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
