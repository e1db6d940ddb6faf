/**
 * `mock-packages/vitest`: the test-file half of the vitest helper. The globalSetup
 * (`mock-packages/vitest/global-setup`) starts the servers once for the run; here a test
 * file gets its worker's server as a {@link ServerConnection}: its URL, tokens, reset, the
 * journal and contract verdicts over the admin API.
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
import { beforeEach, inject } from "vitest";
import { connectToServer, type ServerConnection } from "../testing/server.js";
import type { MockPackagesRun } from "./options.js";

export type { ServerConnection, ServerJournalQuery, ServerTokenOptions } from "../testing/server.js";
export type { MockPackagesProvidedOptions, MockPackagesRun, MockPackagesSetupOptions } from "./options.js";

/**
 * This worker's server. A file runs in one worker from start to end and a worker runs one
 * file at a time, so with one server per worker (the default) nothing else touches this
 * server while the file's tests run.
 */
export function mockPackages(): ServerConnection {
  return connect(theRun());
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

function connect(run: MockPackagesRun): ServerConnection {
  return connectToServer(serverUrl(run), {
    adminToken: run.adminToken,
    signingKey: run.signingKey,
    globalRoles: run.globalRoles,
  });
}

export interface UseMockPackagesOptions {
  /** Reset the server (world, scenario, journal) before each test of the file. Default true. */
  reset?: boolean;
}

/**
 * {@link mockPackages}, and a `beforeEach` that resets the server, so that each test starts
 * from the starting world with an empty journal. Call it at the top of a test file.
 */
export function useMockPackages(options: UseMockPackagesOptions = {}): ServerConnection {
  const run = theRun();
  const server = connect(run);
  if (options.reset === false) return server;
  if (run.urls.length === 1 && run.workers > 1) {
    throw new Error(
      `[mock-packages] one server is shared by ${run.workers} workers, so a reset before each test would wipe ` +
        'what a test in another file is doing at that moment. Use servers: "per-worker" (the default), ' +
        "set fileParallelism: false in vitest.config.ts, or useMockPackages({ reset: false }).",
    );
  }
  beforeEach(() => server.reset());
  return server;
}

/** The worker's own server: `VITEST_POOL_ID` runs from 1 to the number of workers. */
function serverUrl(run: MockPackagesRun): string {
  if (run.urls.length === 1) return run.urls[0]!;
  const pool = Number(process.env.VITEST_POOL_ID);
  const url = run.urls[pool - 1];
  if (!url) {
    throw new Error(
      `[mock-packages] this worker's VITEST_POOL_ID is ${process.env.VITEST_POOL_ID ?? "not set"}, but the ` +
        `globalSetup started ${run.urls.length} servers, one per worker: is this test file run by another ` +
        'project\'s workers? Use servers: "one" with fileParallelism: false, or give each project its own globalSetup.',
    );
  }
  return url;
}
