#!/usr/bin/env node
// Builds dist/: the TypeScript of src/ and fixtures/ compiled to JavaScript with declarations
// (so that plain Node can import the package), plus the files the code reads at run time,
// at the same places relative to the code as in the repository; and the dashboard (src/ui/,
// Preact bundled by esbuild) as dist/ui/, which the HTTP server serves at /__mock/ui/.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, statSync } from "node:fs";
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
await buildDashboard(join(dist, "ui"));
console.log("build: dist/ is ready");

/** The dashboard: one minified script, its stylesheet and its page, nothing fetched at run time. */
async function buildDashboard(out) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    // A consumer's `npm install` from git runs prepare without devDependencies: no dashboard then.
    console.warn("build: esbuild is not installed, so dist/ui/ (the dashboard) was not built");
    return;
  }
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, "src/ui/main.ts")],
    outfile: join(out, "app.js"),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    logLevel: "warning",
  });
  cpSync(join(root, "src/ui/app.css"), join(out, "app.css"));
  cpSync(join(root, "src/ui/index.html"), join(out, "index.html"));
  const size = ["app.js", "app.css", "index.html"].reduce((n, f) => n + statSync(join(out, f)).size, 0);
  console.log(`build: dist/ui/ (the dashboard) is ${(size / 1024).toFixed(1)} KiB`);
}
