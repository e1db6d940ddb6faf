/**
 * `mock-packages/vitest`: the test-file half of the vitest helper. The globalSetup
 * (`mock-packages/vitest/global-setup`) starts one server for the run; here a test file gets
 * a sandbox of it as a {@link ServerConnection}: its URL, tokens, reset, the journal and
 * contract verdicts, all of them its own, whatever the files in other workers do meanwhile.
 *
 * @example
 * import { expect, it } from "vitest";
 * import { useMockPackages } from "mock-packages/vitest";
 *
 * const server = useMockPackages();      // and a reset before each test
 * it("lists packages", async () => {
 *   const res = await fetch(`${server.url}/v3/packages`, {
 *     headers: { Authorization: `bearer ${await server.token("space-developer")}` },
 *   });
 *   expect(res.status).toBe(200);
 * });
 */
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { connectToServer, type ServerConnection } from "../testing/server.js";
import type { MockPackagesRun, SandboxMode } from "./options.js";

export type { ServerConnection, ServerJournalQuery, ServerTokenOptions } from "../testing/server.js";
export type { MockPackagesProvidedOptions, MockPackagesRun, MockPackagesSetupOptions, SandboxMode } from "./options.js";

export interface MockPackagesOptions {
  /** This file's sandbox: its worker's (`"worker"`) or one of its own (`"file"`). Default: the setup's `sandbox`. */
  sandbox?: SandboxMode;
}

export interface UseMockPackagesOptions extends MockPackagesOptions {
  /** Reset the sandbox (world, scenario, journal) before each test of the file. Default true. */
  reset?: boolean;
}

/**
 * This file's sandbox on the run's server, opened in a `beforeAll` (requests to `url` before
 * it answer 404): its worker's, reset to the starting world for this file, or with
 * `sandbox: "file"` a new one, deleted in an `afterAll`. Call it at the top of a test file.
 */
export function mockPackages(options: MockPackagesOptions = {}): ServerConnection {
  const run = theRun();
  const mode = options.sandbox ?? run.sandbox;
  const server = connectToServer(run.url, {
    adminToken: run.adminToken,
    signingKey: run.signingKey,
    globalRoles: run.globalRoles,
    sandbox: sandboxId(mode),
  });
  beforeAll(async () => {
    await server.openSandbox();
    // The worker's earlier files may have changed its sandbox: each file starts from the starting world.
    if (mode === "worker") await server.reset();
  });
  if (mode === "file") afterAll(() => server.deleteSandbox());
  return server;
}

/**
 * {@link mockPackages}, and a `beforeEach` that resets the sandbox, so that each test starts
 * from the starting world with an empty journal. Call it at the top of a test file.
 */
export function useMockPackages(options: UseMockPackagesOptions = {}): ServerConnection {
  const server = mockPackages(options);
  if (options.reset !== false) beforeEach(() => server.reset());
  return server;
}

/** What the globalSetup provided; without it, an error naming the setting to add. */
function theRun(): MockPackagesRun {
  const run = inject("mockPackages");
  if (!run) {
    throw new Error(
      '[mock-packages] no server for this run: add globalSetup: ["mock-packages/vitest/global-setup"] ' +
        "(or a globalSetup file exporting mockPackagesSetup()) to the test options in vitest.config.ts",
    );
  }
  return run;
}

/**
 * `vitest-<VITEST_POOL_ID>` for a worker's sandbox: vitest numbers the workers running at once
 * 1 to `maxWorkers`, and a worker runs one file at a time, so no two files share it at once.
 * A file's own adds a random part: files of one worker never reuse an id.
 */
function sandboxId(mode: SandboxMode): string {
  const pool = process.env.VITEST_POOL_ID;
  if (mode === "file") return `vitest-${pool ?? "x"}-${crypto.randomUUID().slice(0, 8)}`;
  if (!pool || !/^\d+$/.test(pool)) {
    throw new Error(
      `[mock-packages] this worker's VITEST_POOL_ID is ${pool ?? "not set"}, so the helper cannot name its sandbox: ` +
        'use sandbox: "file" (a sandbox per test file) in the options',
    );
  }
  return `vitest-${pool}`;
}
