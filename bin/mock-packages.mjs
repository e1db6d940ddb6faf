#!/usr/bin/env node
// The mock-packages command. All behaviour is in src/cli/main.ts; this file only
// loads TypeScript (through tsx) and turns main's result into an exit code.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
try {
  process.exitCode = await main({ args: process.argv.slice(2) });
} catch (error) {
  console.error("mock-packages: unexpected failure:", error);
  process.exitCode = 1;
}
