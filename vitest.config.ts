import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The examples are projects of their own (npm test runs them through the workspaces);
    // test/msw3 is the msw 3 / Node 24 run (scripts/test-msw3.mjs). Unit tests sit beside
    // the module they test (src/**/*.test.ts).
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "examples/**", "test/msw3/**"],
    globalSetup: ["./test/support/build.ts"],
  },
});
