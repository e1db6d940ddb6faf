/**
 * What the vitest helper takes (in vitest.config.ts or a globalSetup file of your own) and
 * what it hands the test workers through vitest's `provide`/`inject`. Only values the
 * structured clone can copy cross from the main process to the workers: URLs and names,
 * never the simulator or a function.
 */
import type { SimulatorOptions } from "../core/options.js";
import type { GlobalRole, WorldData } from "../core/world/model.js";
import type { RequestLogEntry } from "../node/server.js";

/** One sandbox per vitest worker, or one per test file. */
export type SandboxMode = "worker" | "file";

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
   * Whose sandbox a test file works in, on the run's one server. `"worker"` (default): one
   * sandbox per vitest worker (`vitest-<VITEST_POOL_ID>`), created by the worker's first file and
   * reset at the start of each later one. `"file"`: a sandbox of its own for each file, deleted at
   * the file's end. Either way parallel files never see each other's state, scenario or journal.
   * A file can ask for the other with `useMockPackages({ sandbox })`.
   */
  sandbox?: SandboxMode;
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
  /** The server's URL; each file works in a sandbox under it (`<url>/sandboxes/<id>`). */
  url: string;
  /** The files' sandboxes, as the setup was asked: one per worker or one per file. */
  sandbox: SandboxMode;
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
