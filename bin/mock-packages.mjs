#!/usr/bin/env node
// The mock-packages command. All behaviour is in src/cli/main.ts; this file loads its
// compiled form from dist/ and turns main's result into an exit code.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
// In a checkout of the repository (scripts/ is not shipped), build dist/ first when it is
// missing or older than the sources: the package has no install script, so a fresh clone has
// no dist/ until something builds it (README "Development"). A packed package always has it.
const buildScript = new URL("../scripts/build.mjs", import.meta.url);
if (existsSync(buildScript)) {
  const { ensureBuilt } = await import(new URL("../scripts/ensure-built.mjs", import.meta.url).href);
  try {
    await ensureBuilt(fileURLToPath(new URL("..", import.meta.url)), {
      onBuild: () => console.error("mock-packages: building dist/ from the sources first (npm run build)…"),
    });
  } catch (error) {
    console.error(`mock-packages: ${error.message}`);
    process.exit(1);
  }
}
if (!existsSync(compiled)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  console.error(
    `mock-packages: the compiled code is missing (${fileURLToPath(compiled)}).\n` +
      `In a clone of the repository, build it with: npm run build (in ${root}).\n` +
      "In an installed package this should not happen: reinstall mock-packages.",
  );
  process.exit(1);
}
// A reader that stops early (`mock-packages scenarios | head -3`) closes the pipe: stop quietly, as
// command-line tools do, instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import(compiled.href);
try {
  process.exitCode = await main({ args: process.argv.slice(2) });
} catch (error) {
  console.error("mock-packages: unexpected failure:", error);
  process.exitCode = 1;
}
