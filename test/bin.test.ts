/**
 * The shipped bin runs the compiled code in dist/ and nothing else: no
 * TypeScript loader at run time. Without dist/ it says what to do; in a checkout of the
 * repository (scripts/build.mjs present) it builds dist/ first when it is missing or stale.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/mock-packages.mjs", import.meta.url));
const ENSURE_BUILT = fileURLToPath(new URL("../scripts/ensure-built.mjs", import.meta.url));

/**
 * A checkout in miniature: the bin, scripts/ensure-built.mjs, a source file and a stand-in
 * scripts/build.mjs that writes every output of the real build, with a main() that echoes its
 * arguments (or, with `fail`, exits 1 as tsc does on an error).
 */
function fakeCheckout(build: "ok" | "fail"): string {
  const root = mkdtempSync(join(tmpdir(), "mock-packages-checkout-"));
  for (const dir of ["bin", "scripts", "src"]) mkdirSync(join(root, dir));
  copyFileSync(BIN, join(root, "bin", "mock-packages.mjs"));
  copyFileSync(ENSURE_BUILT, join(root, "scripts", "ensure-built.mjs"));
  writeFileSync(join(root, "src", "index.ts"), "export {};\n");
  const stub =
    build === "fail"
      ? `console.log("src/index.ts(1,1): error TS1005: stand-in"); process.exit(2);`
      : `import { mkdirSync, writeFileSync } from "node:fs";
const d = new URL("../dist/", import.meta.url);
for (const f of ["src/cli", "fixtures/golden", "spec"]) mkdirSync(new URL(f, d), { recursive: true });
for (const f of ["src/index.js", "fixtures/index.js", "spec/openapi.yaml", "fixtures/world.schema.json"]) writeFileSync(new URL(f, d), "");
writeFileSync(new URL("src/cli/main.js", d), "export async function main({ args }) { console.log('main', ...args); return 0; }");
console.log("build: dist/ is ready");`;
  writeFileSync(join(root, "scripts", "build.mjs"), stub);
  return root;
}

const runIn = (root: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "mock-packages.mjs"), ...args], { encoding: "utf8" });

describe("bin/mock-packages.mjs", () => {
  it("without dist/: exit 1, naming the missing file and the command that builds it", () => {
    const root = mkdtempSync(join(tmpdir(), "mock-packages-bin-"));
    mkdirSync(join(root, "bin"));
    copyFileSync(BIN, join(root, "bin", "mock-packages.mjs"));
    const r = spawnSync(process.execPath, [join(root, "bin", "mock-packages.mjs"), "--version"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the compiled code is missing (${join(root, "dist", "src", "cli", "main.js")})`);
    expect(r.stderr).toContain("build it with: npm run build");
    expect(r.stdout).toBe("");
  });

  it("with dist/: runs the compiled command", () => {
    const r = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("bin/mock-packages.mjs in a checkout of the repository", () => {
  const NOTE = "mock-packages: building dist/ from the sources first";

  it("builds a missing dist/ first, saying so on stderr only (stdout stays the command's)", () => {
    const root = fakeCheckout("ok");
    try {
      const first = runIn(root, "token", "--user", "admin");
      expect(first.status).toBe(0);
      expect(first.stdout).toBe("main token --user admin\n");
      expect(first.stderr.trim()).toBe(`${NOTE} (npm run build)…`);
      const again = runIn(root, "--version");
      expect(again.stdout).toBe("main --version\n");
      expect(again.stderr).toBe("");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("rebuilds when a source is newer than dist/", () => {
    const root = fakeCheckout("ok");
    try {
      expect(runIn(root, "--version").stderr).toContain(NOTE);
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(root, "src", "index.ts"), later, later);
      const r = runIn(root, "--version");
      expect(r.stderr).toContain(NOTE);
      expect(r.stdout).toBe("main --version\n");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a failed build: exit 1 with the compiler's output, and the command does not run", () => {
    const root = fakeCheckout("fail");
    try {
      const r = runIn(root, "--version");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("the build of dist/ failed (node scripts/build.mjs)");
      expect(r.stderr).toContain("error TS1005: stand-in");
      expect(r.stdout).toBe("");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("a reader that stops early", () => {
  it("mock-packages scenarios | head -1: exit 0, no EPIPE crash", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [BIN, "scenarios"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Go away before the command writes anything (it takes some 100 ms to start), so that every
    // write of it meets a closed pipe, as the later lines do under `head -1`.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});
