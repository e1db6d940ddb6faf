/**
 * What a consumer imports by the package's name resolves through `exports` to what the
 * README promises: the golden fixtures (as JSON subpaths and through `loadGolden`), every
 * entry point's files, and every README code sample's imports. The repository resolves
 * `mock-packages` to itself (the workspaces link node_modules/mock-packages to the root),
 * so these imports go through the same `exports` map a consumer's do, against dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | Record<string, string>>;
};

describe("the golden fixtures, by the package's name", () => {
  it("mock-packages/fixtures/golden exports loadGolden, goldenPath and GOLDEN_FILES", async () => {
    const golden = await import("mock-packages/fixtures/golden");
    expect(golden.GOLDEN_FILES.length).toBeGreaterThan(10);
    const pkgReady = golden.loadGolden("package-ready.json");
    expect(pkgReady.state).toBe("READY");
    expect(existsSync(golden.goldenPath("package-ready.json"))).toBe(true);
  });

  it("every golden file is importable as mock-packages/fixtures/golden/<name>.json", async () => {
    const { GOLDEN_FILES, loadGolden } = await import("mock-packages/fixtures/golden");
    for (const name of GOLDEN_FILES) {
      const file = require.resolve(`mock-packages/fixtures/golden/${name}`);
      expect(JSON.parse(readFileSync(file, "utf8")), name).toEqual(loadGolden(name));
    }
    const json = await import("mock-packages/fixtures/golden/package-ready.json", { with: { type: "json" } });
    expect(json.default).toEqual(loadGolden("package-ready.json"));
  });

  it("mock-packages/fixtures stays browser-safe and still names the golden files", async () => {
    const fixtures: Record<string, unknown> = await import("mock-packages/fixtures");
    expect(fixtures.GOLDEN_FILES).toBeDefined();
    expect(fixtures.loadGolden).toBeUndefined();
  });
});

describe("every exports target exists", () => {
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const files = typeof target === "string" ? [target] : Object.values(target);
    it(subpath, () => {
      for (const file of files) {
        const concrete = file.replace("*", "package-ready");
        expect(existsSync(join(root, concrete)), `${subpath} → ${concrete}`).toBe(true);
      }
    });
  }
});

describe("typesVersions (TypeScript's node10 resolution) matches exports", () => {
  it("names the same declarations for every code subpath", () => {
    const { typesVersions } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      typesVersions: Record<string, Record<string, string[]>>;
    };
    const fromExports = Object.fromEntries(
      Object.entries(pkg.exports).flatMap(([k, v]) =>
        typeof v === "object" && k !== "." ? [[k.slice(2), [v.types]]] : [],
      ),
    );
    expect(typesVersions["*"]).toEqual(fromExports);
  });
});

/** The `ts` code blocks of the README. */
function readmeBlocks(): string[] {
  const text = readFileSync(join(root, "README.md"), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** `{ names }` imported from each `mock-packages…` specifier in a block. */
function packageImports(block: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const m of block.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"(mock-packages[^"]*)"/g)) {
    const names = m[1]!
      .split(",")
      .map((n) => n.trim().replace(/^type\s+/, ""))
      .filter(Boolean);
    found.set(m[2]!, [...(found.get(m[2]!) ?? []), ...names]);
  }
  return found;
}

const CODE_ENTRY_POINTS = Object.keys(pkg.exports)
  .filter((k) => !k.includes("*") && !/\.(json|yaml)$/.test(k))
  .map((k) => (k === "." ? "mock-packages" : `mock-packages/${k.slice(2)}`));

describe("the README's code samples import from the entry points that export what they use", () => {
  it("found the samples", () => {
    expect(readmeBlocks().length).toBeGreaterThan(3);
  });

  readmeBlocks().forEach((block, i) => {
    it(`sample ${i + 1}: ${block.split("\n")[0]}`, async () => {
      const imports = packageImports(block);
      const imported = new Set<string>();
      for (const [specifier, names] of imports) {
        expect(CODE_ENTRY_POINTS, `${specifier} is an entry point`).toContain(specifier);
        const mod: Record<string, unknown> = await import(specifier);
        for (const name of names) {
          expect(mod[name], `${name} is exported by ${specifier}`).toBeDefined();
          imported.add(name);
        }
      }
      // A function of the package called in the sample is imported in it.
      for (const specifier of CODE_ENTRY_POINTS) {
        const mod: Record<string, unknown> = await import(specifier);
        for (const [name, value] of Object.entries(mod)) {
          if (typeof value !== "function" || !new RegExp(`(?<![.\\w])${name}\\(`).test(block)) continue;
          expect(imported.has(name), `sample calls ${name}() (from ${specifier}) without importing it`).toBe(true);
        }
      }
    });
  });
});
