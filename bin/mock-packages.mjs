#!/usr/bin/env node
// The mock-packages command. All behaviour is in src/cli/main.ts; this file only loads it
// (compiled, from dist/, which `npm install` builds; or the TypeScript itself through tsx
// when dist/ is missing) and turns main's result into an exit code.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
try {
  process.exitCode = await main({ args: process.argv.slice(2) });
} catch (error) {
  console.error("mock-packages: unexpected failure:", error);
  process.exitCode = 1;
}
