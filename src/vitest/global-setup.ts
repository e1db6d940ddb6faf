/**
 * `mock-packages/vitest/global-setup`: the main-process half of the vitest helper. It
 * starts one server for the whole run (before any worker exists), hands the workers its URL
 * through `provide` (each test file then works in a sandbox of it), and stops it at teardown.
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
import type { SimulatorOptions } from "../core/options.js";
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
      sandbox = "worker",
      ...simOptions
    } = options;
    if (sandbox !== "worker" && sandbox !== "file") {
      throw new Error(
        `[mock-packages] sandbox is "worker" (one per worker) or "file" (one per test file), not ${JSON.stringify(sandbox)}`,
      );
    }
    const world =
      typeof worldOption === "string" ? await loadWorldFile(resolve(project.config.root, worldOption)) : worldOption;
    // One checker for the run: Prism loads once, not once per file, and every sandbox inherits it.
    const contract = contractVerdicts ? await loadChecker() : undefined;
    const started = await start(
      {
        ...simOptions,
        maxSandboxes: maxSandboxes(simOptions.maxSandboxes, workers),
        // The run's sandboxes go with the server at its end; a worker idle for a while keeps its own.
        sandboxIdleTimeout: simOptions.sandboxIdleTimeout ?? 0,
        world,
        contract,
      },
      { host, onRequest },
    );
    const run: MockPackagesRun = {
      url: started.server.url,
      sandbox,
      workers,
      adminToken: simOptions.adminToken,
      signingKey: simOptions.signingKey,
      globalRoles: globalRolesOf(started.sim),
      contractVerdicts,
    };
    project.provide("mockPackages", run);
    if (!quiet) console.log(`[mock-packages] ${summary(run)}`);
    // A run that ends without its teardown (vitest killed) still takes its bits folder along.
    const disposeOnExit = () => started.store.dispose();
    process.once("exit", disposeOnExit);
    return async () => {
      process.off("exit", disposeOnExit);
      const left = started.sim.sandboxes.list().map((s) => s.id);
      await stop(started);
      if (!quiet)
        console.log(`[mock-packages] stopped ${run.url} (sandboxes at the end: ${left.join(", ") || "none"})`);
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

/**
 * The server's sandbox limit: every worker holds one at a time (its own, or its current
 * file's), so at least `workers`; the simulator's default (64) when that is more.
 */
function maxSandboxes(given: number | undefined, workers: number): number {
  if (given === undefined) return Math.max(64, workers);
  if (given < workers) {
    throw new Error(
      `[mock-packages] maxSandboxes is ${given}, but vitest runs up to ${workers} workers, each in a sandbox of its ` +
        `own: leave maxSandboxes out (the helper takes at least ${workers}) or give it ${workers} or more`,
    );
  }
  return given;
}

async function start(
  simOptions: Omit<SimulatorOptions, "store">,
  serverOptions: { host: string; onRequest?: MockPackagesSetupOptions["onRequest"] },
): Promise<Started> {
  const store = createFileStore();
  const sim = createSimulator({ ...simOptions, store });
  try {
    await sim.ready;
    return { store, sim, server: await serve({ simulator: sim, port: 0, ...serverOptions }) };
  } catch (error) {
    await sim.close();
    store.dispose();
    throw error;
  }
}

async function stop({ store, sim, server }: Started): Promise<void> {
  await server.close();
  await sim.close();
  store.dispose();
}

/** Users with a global role, by name: a world file's admin gets admin scopes in its tokens. */
function globalRolesOf(sim: Simulator): Record<string, GlobalRole> {
  const roles: Record<string, GlobalRole> = {};
  for (const user of sim.state.users.values()) if (user.globalRole) roles[user.name] = user.globalRole;
  return roles;
}

function summary(run: MockPackagesRun): string {
  const verdicts = run.contractVerdicts ? ", contract verdicts on" : "";
  const each = run.sandbox === "file" ? "a sandbox per test file" : `a sandbox per worker (up to ${run.workers})`;
  return `one server for this run at ${run.url}, ${each}${verdicts}`;
}
