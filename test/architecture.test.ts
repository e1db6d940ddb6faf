/**
 * The core knows nothing of its adapters: no Node built-ins, no msw, nothing
 * from the HTTP server, the CLI or Prism. It has to run in a browser's service
 * worker as well as in Node, and stay small there: it imports nothing from
 * fixtures/ (which imports the core back), no jszip (the fixture builders' zip
 * library) and not faker's root entry (every locale). The browser-safe fixture
 * builders and the world-file modules (src/world-file/: parsing, schema
 * messages, building; the Node loader is src/node/world-file.ts) are held to
 * the first rule too.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
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
/** What the core may not import besides: fixtures/, jszip, and faker's every-locale root entry. */
const CORE_FORBIDDEN = [/(^|\/)fixtures\//, /^jszip$/, /^@faker-js\/faker$/];
const CORE = files("src/core");
const BROWSER_SAFE = [
  ...CORE,
  ...files("src/world-file"),
  "fixtures/world.ts",
  "fixtures/zip.ts",
  "fixtures/requests.ts",
];

describe("the core is free of adapters", () => {
  for (const file of BROWSER_SAFE) {
    it(`${file} imports nothing Node-only or adapter-specific`, () => {
      const bad = imports(file).filter((spec) => FORBIDDEN.some((re) => re.test(spec)));
      expect(bad, `${relative(root, join(root, file))} must stay runnable in a browser`).toEqual([]);
    });
  }

  for (const file of CORE) {
    it(`${file} imports nothing from fixtures/, jszip or faker's root entry`, () => {
      const bad = imports(file).filter((spec) => CORE_FORBIDDEN.some((re) => re.test(spec)));
      expect(bad, `${file}: the core must not load the fixture builders or their heavy libraries`).toEqual([]);
    });
  }

  it("found the core's files", () => {
    expect(BROWSER_SAFE.length).toBeGreaterThan(20);
  });
});
