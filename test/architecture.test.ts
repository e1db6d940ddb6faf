/**
 * The core knows nothing of its adapters: no Node built-ins, no msw, nothing
 * from the HTTP server, the CLI or Prism. It has to run in a browser's service
 * worker as well as in Node. So do the fixtures the core loads.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => (m[1] ?? m[2])!);
}

const FORBIDDEN = [
  /^node:/,
  /^msw/,
  /^@stoplight\//,
  /^(fs|path|os|http|crypto|stream|url)$/,
  /\/(node|cli|msw|contract|testing)\//,
];
const BROWSER_SAFE = [...files("src/core"), "fixtures/world.ts", "fixtures/zip.ts", "fixtures/requests.ts"];

describe("the core is free of adapters", () => {
  for (const file of BROWSER_SAFE) {
    it(`${file} imports nothing Node-only or adapter-specific`, () => {
      const bad = imports(file).filter((spec) => FORBIDDEN.some((re) => re.test(spec)));
      expect(bad, `${relative(root, join(root, file))} must stay runnable in a browser`).toEqual([]);
    });
  }

  it("found the core's files", () => {
    expect(BROWSER_SAFE.length).toBeGreaterThan(20);
  });
});
