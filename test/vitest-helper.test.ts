/**
 * mock-packages/vitest in a real vitest run: test/fixtures/vitest-helper is a consumer's
 * project (its config and upload.spec.ts are the README's sample), run by vitest in a child
 * process with two workers. The run must pass, start one server once with contract verdicts,
 * give each worker a sandbox (parallel-a/-b take turns across the two workers and see none of
 * each other's scenario, reset or journal), and leave nothing behind: no listening port, no
 * bits folder.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { connectToServer } from "../src/testing/server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = join(root, "test/fixtures/vitest-helper");
const vitest = join(root, "node_modules/vitest/vitest.mjs");
const temp = mkdtempSync(join(tmpdir(), "mock-packages-vitest-helper-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** `vitest run ARGS` in the fixture project, with a TMPDIR of its own (where the servers keep bits). */
function runVitest(name: string, args: string[]): Promise<{ code: number | null; output: string; tmp: string }> {
  const tmp = join(temp, name);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  // This test runs inside a vitest worker: its VITEST_* variables are not for the child's run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  const child = spawn(process.execPath, [vitest, "run", ...args], {
    cwd: fixture,
    env: { ...env, NO_COLOR: "1", CI: "1", TMPDIR: tmp },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, tmp }));
  });
}

/** Whether something listens on a URL's port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const STARTED = /\[mock-packages\] .* for this run.*/g;
const urlsIn = (line: string) => line.match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [];

// About 9 s here alone; minutes on a machine busy with other work.
const RUN_TIMEOUT = 180_000;

describe("a vitest run with mock-packages/vitest", () => {
  it(
    "passes on one server started once, a sandbox per worker, parallel files with no cross-talk",
    async () => {
      const { code, output, tmp } = await runVitest("two-workers", ["--maxWorkers", "2"]);
      expect(code, output).toBe(0);
      expect(output).toMatch(/Test Files {2}7 passed \(7\)/);
      expect(output).toMatch(/Tests {2}12 passed \(12\)/);
      const starts = [...output.matchAll(STARTED)].map((m) => m[0]);
      expect(starts, output).toHaveLength(1);
      expect(starts[0]).toMatch(
        /one server for this run at .*, a sandbox per worker \(up to 2\), contract verdicts on$/,
      );
      const urls = urlsIn(starts[0]!);
      expect(urls).toHaveLength(1);
      // Both workers' sandboxes were there at the end; per-file.spec.ts's own was deleted with its file.
      const stops = output.split("\n").filter((l) => l.startsWith("[mock-packages] stopped"));
      expect(stops).toHaveLength(1);
      const left = stops[0]!.match(/^\[mock-packages\] stopped (\S+) \(sandboxes at the end: (.*)\)$/);
      expect(left?.[1]).toBe(urls[0]);
      expect(left?.[2].split(", ").sort()).toEqual(["vitest-1", "vitest-2"]);
      expect(await listening(urls[0]!)).toBe(false);
      // The server's file store (mock-packages-<pid>-…) is gone with it.
      expect(readdirSync(tmp).filter((f) => f.startsWith("mock-packages"))).toEqual([]);
    },
    RUN_TIMEOUT,
  );
});

describe("the README's vitest sample", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const file of ["vitest.config.ts", "upload.spec.ts"]) {
    it(`is test/fixtures/vitest-helper/${file}, as it runs here`, () => {
      expect(blocks).toContain(readFileSync(join(fixture, file), "utf8"));
    });
  }
});

describe("the README's note on msw beside the helper", () => {
  it("shows the onUnhandledRequest line msw.spec.ts runs", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const line = readFileSync(join(fixture, "msw.spec.ts"), "utf8")
      .split("\n")
      .find((l) => l.includes("onUnhandledRequest"))!
      .trim();
    expect(readme).toContain(`\`\`\`ts\n${line}\n\`\`\``);
  });
});

type JestHook = { default: () => Promise<void> };

describe("the README's Jest sample (test/fixtures/jest-helper, run by hand with Jest 29)", () => {
  it("its globalSetup starts a server, hands the URL on in process.env, and its globalTeardown stops it", async () => {
    const saved = process.env.MOCK_PACKAGES_URL;
    try {
      // Plain JavaScript, as a Jest user writes it: imported by URL, with no declarations.
      const load = async (file: string) =>
        ((await import(pathToFileURL(join(root, "test/fixtures/jest-helper", file)).href)) as JestHook).default;
      const [setup, teardown] = [await load("global-setup.mjs"), await load("global-teardown.mjs")];
      await setup();
      const url = process.env.MOCK_PACKAGES_URL!;
      // As upload.test.mjs does in Jest worker 1.
      const server = connectToServer(url, { sandbox: "jest-1" });
      await server.openSandbox();
      const token = await server.token("space-developer");
      expect((await fetch(`${url}/v3/packages`, { headers: { Authorization: `bearer ${token}` } })).status).toBe(200);
      expect(await server.journal()).toHaveLength(1);
      expect(await connectToServer(url).journal()).toEqual([]); // the token took it to the sandbox
      await teardown();
      expect(await listening(url)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.MOCK_PACKAGES_URL;
      else process.env.MOCK_PACKAGES_URL = saved;
      delete (globalThis as { mockPackages?: unknown }).mockPackages;
    }
  });

  it("is in the README as it is here", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const file of ["global-setup.mjs", "global-teardown.mjs", "upload.test.mjs"]) {
      expect(blocks, file).toContain(readFileSync(join(root, "test/fixtures/jest-helper", file), "utf8"));
    }
  });
});
