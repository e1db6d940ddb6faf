/**
 * `mock-packages/vitest/global-setup`: the main-process half of the vitest helper. It
 * starts the servers once for the whole run (before any worker exists), hands the workers
 * their URLs through `provide`, and stops everything at teardown.
 *
 * @example
 * // vitest.config.ts: the ready-made setup, options from `provide`
 * test: {
 *   globalSetup: ["mock-packages/vitest/global-setup"],
 *   provide: { mockPackagesOptions: { processingDelay: 0, contractVerdicts: true } },
 * }
 *
 * // or a globalSetup file of your own (any option, functions too):
 * import { mockPackagesSetup } from "mock-packages/vitest/global-setup";
 * export default mockPackagesSetup({ world: "test/world.yaml", processingDelay: 0 });
 */
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import type { RequestChecker } from "../core/journal/journal.js";
import { createSimulator, type Simulator } from "../core/simulator.js";
import type { GlobalRole } from "../core/world/model.js";
import { createFileStore, type FileStore } from "../node/file-store.js";
import { serve, type RunningServer } from "../node/server.js";
import { loadWorldFile } from "../node/world-file.js";
import type { MockPackagesRun, MockPackagesSetupOptions } from "./options.js";

export type { MockPackagesProvidedOptions, MockPackagesRun, MockPackagesSetupOptions } from "./options.js";

interface Started {
  store: FileStore;
  sim: Simulator;
  server: RunningServer;
}

/**
 * A vitest globalSetup function: starts mock-packages for the run and returns the teardown.
 * Export it as the default of a globalSetup file.
 */
export function mockPackagesSetup(
  options: MockPackagesSetupOptions = {},
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const workers = workerCount(project);
    const {
      world: worldOption,
      contractVerdicts = false,
      host = "127.0.0.1",
      quiet = false,
      onRequest,
      servers = "per-worker",
      ...simOptions
    } = options;
    const world =
      typeof worldOption === "string" ? await loadWorldFile(resolve(project.config.root, worldOption)) : worldOption;
    // One checker for every server and every test file: Prism loads once per run, not once per file.
    const contract = contractVerdicts ? await loadChecker() : undefined;
    const started = await startAll(servers === "one" ? 1 : workers, async () => {
      const store = createFileStore();
      const sim = createSimulator({ ...simOptions, world, contract, store });
      try {
        await sim.ready;
        return { store, sim, server: await serve({ simulator: sim, port: 0, host, onRequest }) };
      } catch (error) {
        await sim.close();
        store.dispose();
        throw error;
      }
    });
    const run: MockPackagesRun = {
      urls: started.map((s) => s.server.url),
      servers,
      workers,
      adminToken: simOptions.adminToken,
      signingKey: simOptions.signingKey,
      globalRoles: globalRolesOf(started[0]!.sim),
      contractVerdicts,
    };
    project.provide("mockPackages", run);
    if (!quiet) console.log(`[mock-packages] ${summary(run)}`);
    // A run that ends without its teardown (vitest killed) still takes its bits folders along.
    const disposeOnExit = () => started.forEach((s) => s.store.dispose());
    process.once("exit", disposeOnExit);
    return async () => {
      process.off("exit", disposeOnExit);
      await stopAll(started);
      if (!quiet) console.log(`[mock-packages] stopped ${run.urls.join(", ")}`);
    };
  };
}

/** The ready-made globalSetup: options from `test.provide.mockPackagesOptions`, if any. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return mockPackagesSetup(project.getProvidedContext().mockPackagesOptions)(project);
}

/** Workers vitest runs at once, as its pool counts them (`VITEST_POOL_ID` goes from 1 to this). */
function workerCount(project: TestProject): number {
  const n = Number(project.config.maxWorkers || project.vitest.config.maxWorkers || 1);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

async function loadChecker(): Promise<RequestChecker> {
  const { createContractChecker } = await import("../contract/index.js");
  return createContractChecker();
}

/** Starts `count` servers at once; if one fails, the others are stopped before the error goes on. */
async function startAll(count: number, start: () => Promise<Started>): Promise<Started[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, start));
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

async function stopAll(started: Started[]): Promise<void> {
  await Promise.all(
    started.map(async ({ store, sim, server }) => {
      await server.close();
      await sim.close();
      store.dispose();
    }),
  );
}

/** Users with a global role, by name: a world file's admin gets admin scopes in its tokens. */
function globalRolesOf(sim: Simulator): Record<string, GlobalRole> {
  const roles: Record<string, GlobalRole> = {};
  for (const user of sim.state.users.values()) if (user.globalRole) roles[user.name] = user.globalRole;
  return roles;
}

function summary(run: MockPackagesRun): string {
  const verdicts = run.contractVerdicts ? ", contract verdicts on" : "";
  return run.urls.length === 1
    ? `one server for this run at ${run.urls[0]}${verdicts}`
    : `${run.urls.length} servers for this run, one per worker: ${run.urls.join(", ")}${verdicts}`;
}
