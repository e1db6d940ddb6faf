/**
 * The shipped bin runs the compiled code in dist/ and nothing else: no
 * TypeScript loader at run time. Without dist/ it says what to do.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/mock-packages.mjs", import.meta.url));

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
