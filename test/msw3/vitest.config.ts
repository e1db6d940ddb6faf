/**
 * The second run of test/msw.test.ts: msw 3 on Node 24 (scripts/test-msw3.mjs
 * installs both into test/msw3/node_modules and starts this config with that Node).
 * Every `msw` import, the project's own included, is pointed at msw 3.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const msw3 = fileURLToPath(new URL("./node_modules/msw/", import.meta.url));
const exportsMap = JSON.parse(readFileSync(`${msw3}package.json`, "utf8")).exports as Record<
  string,
  { default?: string }
>;
const entry = (subpath: string) => msw3 + exportsMap[subpath]!.default!.replace(/^\.\//, "");

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  resolve: {
    alias: [
      { find: /^msw$/, replacement: entry(".") },
      { find: /^msw\/node$/, replacement: entry("./node") },
      { find: /^msw\/browser$/, replacement: entry("./browser") },
    ],
  },
  test: {
    include: ["test/msw.test.ts"],
    env: { EXPECT_MSW_MAJOR: "3", EXPECT_NODE_MAJOR: "24" },
  },
});
