import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The examples are projects of their own (npm test runs them through the workspaces);
    // test/msw3 is the msw 3 / Node 24 run (scripts/test-msw3.mjs). Unit tests sit beside
    // the module they test (src/**/*.test.ts).
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "examples/**", "test/msw3/**"],
    globalSetup: ["./test/support/build.ts"],
    // One module graph per worker, not per file: the contract (Prism), msw and the server are
    // imported once per worker instead of once per test file. Safe because no test file mocks
    // modules (no vi.mock), stubs globals or keeps state outside its own module, and every file
    // closes what it starts (simulators, servers, msw listeners, child processes).
    isolate: false,
    // vitest's default is one worker fewer than the cores: a single worker on a 2-core machine.
    // A worker per core keeps them all busy (the main process mostly waits); the fuzz run, the
    // longest file, goes first on one worker while the other files share the rest.
    maxWorkers: Math.max(2, availableParallelism()),
    // A larger young generation for the workers: the fuzz run and the upload tests allocate
    // many short-lived buffers, and fewer scavenges took 1-3 s off a 40 s run here.
    execArgv: ["--max-semi-space-size=64"],
    // Under two workers and other load on a small machine, a test that takes 1–2 s alone
    // (child processes, 100 concurrent uploads) can pass 5 s; a hang still fails.
    testTimeout: 20_000,
    // Hooks load the OpenAPI document and Prism once per file (under a second alone, several
    // seconds beside a Chromium run and child processes); a hook that hangs still fails.
    hookTimeout: 60_000,
  },
});
