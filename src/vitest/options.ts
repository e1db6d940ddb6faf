/**
 * What the vitest helper takes (in vitest.config.ts or a globalSetup file of your own) and
 * what it hands the test workers through vitest's `provide`/`inject`. Only values the
 * structured clone can copy cross from the main process to the workers: URLs and names,
 * never the simulator or a function.
 */
import type { SimulatorOptions } from "../core/options.js";
import type { GlobalRole, WorldData } from "../core/world/model.js";
import type { RequestLogEntry } from "../node/server.js";

export interface MockPackagesSetupOptions extends Omit<SimulatorOptions, "store" | "contract" | "world"> {
  /**
   * The world to start from and return to on reset: a world file's path (YAML or JSON,
   * relative to vitest's `root`), world data, or a function of the seed. Default: the
   * fixture world for `seed`.
   */
  world?: string | SimulatorOptions["world"];
  /**
   * Check every request against spec/openapi.yaml for the journal's verdicts, with one
   * contract checker for the whole run (needs `@stoplight/prism-http` installed). Default false.
   */
  contractVerdicts?: boolean;
  /**
   * `"per-worker"` (default): one server per vitest worker, each with its own state, so a
   * per-test reset never touches a test running in another file at the same moment.
   * `"one"`: a single server for the run; per-test resets then need `fileParallelism: false`.
   */
  servers?: "per-worker" | "one";
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** No line on start and stop. Default false. */
  quiet?: boolean;
  /** Called once per request, e.g. for a log line (not available through `provide`). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** The options as `test.provide.mockPackagesOptions` can carry them: serialisable only. */
export type MockPackagesProvidedOptions = Omit<MockPackagesSetupOptions, "world" | "onRequest" | "now" | "logger"> & {
  world?: string | WorldData;
};

/** What the workers receive (`inject("mockPackages")`). */
export interface MockPackagesRun {
  /** The servers' URLs: one per worker (index = `VITEST_POOL_ID` - 1), or just one. */
  urls: string[];
  /** `"per-worker"` or `"one"`, as the setup was asked. */
  servers: "per-worker" | "one";
  /** Workers vitest runs at most at once. */
  workers: number;
  adminToken?: string;
  signingKey?: string;
  /** Global roles of the world's users, by name (for their tokens' scopes). */
  globalRoles: Record<string, GlobalRole>;
  contractVerdicts: boolean;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Set by mock-packages' globalSetup; read it with `mockPackages()` from `mock-packages/vitest`. */
    mockPackages?: MockPackagesRun;
    /** Options for `globalSetup: ["mock-packages/vitest/global-setup"]`, from `test.provide`. */
    mockPackagesOptions?: MockPackagesProvidedOptions;
  }
}
