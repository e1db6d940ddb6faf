/**
 * vitest globalSetup: makes sure dist/ is built from the sources as they are now, so that the
 * tests that run the command (bin/mock-packages.mjs loads dist/) never run yesterday's build.
 *
 * `npm test` builds first (the typecheck of the examples reads dist/'s declarations), so here
 * the build is skipped when dist/ is complete and newer than every input of scripts/build.mjs;
 * otherwise (a plain `vitest run` after an edit) it builds as before. The check and the build
 * are the command's own (scripts/ensure-built.mjs), under the same lock.
 */
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../../scripts/ensure-built.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(): Promise<void> {
  await ensureBuilt(root);
}
