#!/usr/bin/env node
// Builds dist/: the TypeScript of src/ and fixtures/ compiled to JavaScript with declarations
// (so that plain Node can import the package), plus the files the code reads at run time,
// at the same places relative to the code as in the repository.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) {
  console.error("build: tsc failed; run `npm run typecheck` for the details");
  process.exit(r.status ?? 1);
}
for (const asset of ["spec/openapi.yaml", "fixtures/world.schema.json", "fixtures/golden"]) {
  mkdirSync(dirname(join(dist, asset)), { recursive: true });
  cpSync(join(root, asset), join(dist, asset), { recursive: true });
}
console.log("build: dist/ is ready");
