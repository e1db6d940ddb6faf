#!/usr/bin/env node
/**
 * `npm run footprint`: what importing mock-packages costs.
 *
 *   (1) the time to import each code entry point (`mock-packages`, `mock-packages/msw`, …,
 *       `mock-packages/vitest`) by the package's name in a fresh plain Node process, from
 *       dist/ (median of FOOTPRINT_RUNS runs, default 15)
 *   (2) the size of an esbuild-minified browser bundle of `mock-packages` plus
 *       `mock-packages/msw`, msw external: as one file, and with code splitting (the
 *       chunks a browser loads up front, and those it loads only when needed)
 *   (3) the contract checker's start-up (`createContractChecker()`, which loads Prism) and
 *       the vitest helper's (the server of `mock-packages/vitest/global-setup`), and two
 *       vitest runs of the same 4 test files: each file creating its own checker, as
 *       before the helper, and one checker for the run, through the helper
 *
 * Prints a Markdown report; `--write` also puts it into BENCHMARKS.md between the
 * `<!-- footprint -->` markers. Needs `npm run build` first.
 */
import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  mkdirSync,
  writeFileSync,
  readdirSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.FOOTPRINT_RUNS ?? 15);
const LOAD_AT_START = loadavg()[0];

/** A consumer's folder: node_modules/mock-packages and vitest link to this repository's. */
function consumerDir() {
  const dir = mkdtempSync(join(tmpdir(), "mock-packages-footprint-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "mock-packages"));
  symlinkSync(join(root, "node_modules", "vitest"), join(dir, "node_modules", "vitest"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module", "private": true }\n');
  return dir;
}

/** `{ min, median, max }` of numbers. */
function stats(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/** Runs a module's text in a fresh Node process in `dir`; its stdout, parsed as JSON. */
function probe(dir, code) {
  const file = join(dir, `probe-${process.pid}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`a probe failed (run npm run build first):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** The code entry points of package.json's exports, by the name a consumer imports. */
function entryPoints() {
  const { exports } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return Object.keys(exports)
    .filter((k) => !k.includes("*") && !/\.(json|yaml)$/.test(k))
    .map((k) => (k === "." ? "mock-packages" : `mock-packages/${k.slice(2)}`));
}

function importTimes(dir) {
  const times = {};
  for (const specifier of entryPoints()) {
    const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
    times[specifier] = stats(Array.from({ length: RUNS }, () => probe(dir, code)));
  }
  return times;
}

const STARTUP_RUNS = Number(process.env.FOOTPRINT_STARTUP_RUNS ?? 5);

/** `mock-packages/contract`'s import, then `createContractChecker()` (Prism's import and the spec), in fresh processes. */
function checkerStartup(dir) {
  const code = `const t0 = performance.now();
const { createContractChecker } = await import("mock-packages/contract");
const t1 = performance.now();
await createContractChecker();
console.log(JSON.stringify({ load: t1 - t0, create: performance.now() - t1 }));`;
  const runs = Array.from({ length: STARTUP_RUNS }, () => probe(dir, code));
  return { load: stats(runs.map((r) => r.load)), create: stats(runs.map((r) => r.create)) };
}

/** The vitest helper's globalSetup, from call to its server listening (its import not counted), for a 2-worker run. */
function helperStartup(dir, options) {
  const code = `import { mockPackagesSetup } from "mock-packages/vitest/global-setup";
const project = { config: { root: process.cwd(), maxWorkers: 2 }, vitest: { config: {} }, provide() {}, getProvidedContext: () => ({}) };
const t = performance.now();
const teardown = await mockPackagesSetup(${JSON.stringify({ quiet: true, ...options })})(project);
const ms = performance.now() - t;
await teardown();
console.log(JSON.stringify(ms));`;
  return stats(Array.from({ length: STARTUP_RUNS }, () => probe(dir, code)));
}

const FILES = 4;
const BEFORE = `import { expect, it } from "vitest";
import { createSimulator, mintUserToken } from "mock-packages";
import { createContractChecker } from "mock-packages/contract";
import { expectNoContractViolations } from "mock-packages/testing";
const sim = createSimulator({ processingDelay: 0, contract: await createContractChecker() });
it("lists packages", async () => {
  const r = await sim.request("/v3/packages", { token: await mintUserToken("space-developer") });
  expect(r.status).toBe(200);
  expectNoContractViolations(sim);
});
`;
const AFTER = `import { expect, it } from "vitest";
import { useMockPackages } from "mock-packages/vitest";
const server = useMockPackages();
it("lists packages", async () => {
  const token = await server.token("space-developer");
  const r = await fetch(\`\${server.url}/v3/packages\`, { headers: { Authorization: \`bearer \${token}\` } });
  expect(r.status).toBe(200);
  await server.expectNoContractViolations();
});
`;
const AFTER_CONFIG = `export default { test: { globalSetup: ["mock-packages/vitest/global-setup"],
  provide: { mockPackagesOptions: { processingDelay: 0, contractVerdicts: true } } } };
`;

/** Wall time of \`vitest run --maxWorkers 2\` over FILES files that check contracts: each its own checker, or the helper's. */
function vitestRuns(dir) {
  const result = {};
  for (const [name, test, config] of [
    ["before", BEFORE, "export default { test: {} };\n"],
    ["after", AFTER, AFTER_CONFIG],
  ]) {
    const project = join(dir, name);
    mkdirSync(project);
    writeFileSync(join(project, "vitest.config.mjs"), config);
    for (let i = 1; i <= FILES; i++) writeFileSync(join(project, `f${i}.test.ts`), test);
    const times = [];
    for (let run = 0; run < STARTUP_RUNS; run++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(dir, "node_modules/vitest/vitest.mjs"), "run", "--maxWorkers", "2"], {
        cwd: project,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      if (r.status !== 0) throw new Error(`vitest run (${name}) failed:\n${r.stdout}\n${r.stderr}`);
      times.push(performance.now() - t);
    }
    result[name] = stats(times);
  }
  return result;
}

async function bundleSizes() {
  // A consumer's view: the package by name, through its exports map.
  const dir = mkdtempSync(join(tmpdir(), "mock-packages-footprint-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "mock-packages"));
    const entry = join(dir, "entry.mjs");
    writeFileSync(entry, 'export * from "mock-packages";\nexport * from "mock-packages/msw";\n');
    const common = {
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      external: ["msw"],
      logLevel: "error",
    };
    const single = await build({ ...common, entryPoints: [entry], outfile: join(dir, "single.js"), metafile: true });
    const byPackage = {};
    for (const [file, info] of Object.entries(Object.values(single.metafile.outputs)[0].inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file.replace(/.*node_modules\/mock-packages\//, ""));
      const name = m && !file.includes("mock-packages/dist") ? m[1] : "mock-packages";
      byPackage[name] = (byPackage[name] ?? 0) + info.bytesInOutput;
    }
    await build({ ...common, entryPoints: [entry], outdir: join(dir, "split"), splitting: true, metafile: true });
    const chunks = readdirSync(join(dir, "split")).map((name) => ({
      name,
      size: statSync(join(dir, "split", name)).size,
    }));
    // What the entry imports statically loads up front; the rest only on a dynamic import.
    const entryText = readFileSync(join(dir, "split", "entry.js"), "utf8");
    const upFront = chunks.filter(
      (c) => c.name === "entry.js" || new RegExp(`from"\\./${c.name}"|import"\\./${c.name}"`).test(entryText),
    );
    const lazy = chunks.filter((c) => !upFront.includes(c));
    return { single: statSync(join(dir, "single.js")).size, byPackage, upFront, lazy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const ms = (n) => `${n.toFixed(0)} ms`;
const dir = consumerDir();
let times, checker, helper, runs;
try {
  times = importTimes(dir);
  checker = checkerStartup(dir);
  helper = {
    one: helperStartup(dir, {}),
    verdicts: helperStartup(dir, { contractVerdicts: true }),
  };
  runs = vitestRuns(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const sizes = await bundleSizes();
const sum = (list) => list.reduce((n, c) => n + c.size, 0);
const report = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}, load average ${LOAD_AT_START.toFixed(1)} at the start (other work on the machine slows every figure).`,
  "",
  `**Import** of each entry point by the package's name in a fresh Node process (dist/, ${RUNS} runs each):`,
  "",
  "| entry point | median | min | max |",
  "|---|---:|---:|---:|",
  ...Object.entries(times).map(([name, t]) => `| \`${name}\` | **${ms(t.median)}** | ${ms(t.min)} | ${ms(t.max)} |`),
  "",
  "`mock-packages/contract` loads Prism only on the first `createContractChecker()` or `loadContract()`;",
  "`mock-packages/vitest` is mostly vitest's own runtime, which a test file has loaded already.",
  "",
  `**Start-up of the contract checker and the vitest helper**, in fresh processes (median of ${STARTUP_RUNS}):`,
  "",
  "| what | median | min | max |",
  "|---|---:|---:|---:|",
  `| \`import("mock-packages/contract")\` | ${ms(checker.load.median)} | ${ms(checker.load.min)} | ${ms(checker.load.max)} |`,
  `| \`createContractChecker()\` after it (imports Prism, reads the spec) | **${ms(checker.create.median)}** | ${ms(checker.create.min)} | ${ms(checker.create.max)} |`,
  `| vitest helper's globalSetup (one server; the workers create their sandboxes later) | ${ms(helper.one.median)} | ${ms(helper.one.min)} | ${ms(helper.one.max)} |`,
  `| the same with \`contractVerdicts: true\` (one checker for every sandbox) | **${ms(helper.verdicts.median)}** | ${ms(helper.verdicts.min)} | ${ms(helper.verdicts.max)} |`,
  "",
  `**A vitest run** (\`vitest run --maxWorkers 2\`, wall time, median of ${STARTUP_RUNS}) of ${FILES} test files that each send one request and assert no contract violation:`,
  "",
  "| how the files check contracts | median | min | max |",
  "|---|---:|---:|---:|",
  `| each creates its own checker (\`createSimulator({ contract: await createContractChecker() })\`) | **${ms(runs.before.median)}** | ${ms(runs.before.min)} | ${ms(runs.before.max)} |`,
  `| one checker for the run, in the helper's server (\`contractVerdicts: true\`) | **${ms(runs.after.median)}** | ${ms(runs.after.min)} | ${ms(runs.after.max)} |`,
  "",
  "**Browser bundle** of `mock-packages` + `mock-packages/msw`, esbuild `--minify`, msw external:",
  "",
  "| bundle | size |",
  "|---|---:|",
  `| one file (no code splitting) | ${kb(sizes.single)} |`,
  ...Object.entries(sizes.byPackage)
    .sort((a, b) => b[1] - a[1])
    .map(([name, size]) => `| &nbsp;&nbsp;of which ${name} | ${kb(size)} |`),
  `| split: loaded up front (${sizes.upFront.map((c) => c.name).join(", ")}) | **${kb(sum(sizes.upFront))}** |`,
  ...sizes.lazy
    .filter((c) => c.size >= 10 * 1024)
    .sort((a, b) => b.size - a.size)
    .map((c) => `| split: loaded on first use, ${c.name} | ${kb(c.size)} |`),
  `| split: loaded on first use, ${sizes.lazy.filter((c) => c.size < 10 * 1024).length} smaller chunks | ${kb(sum(sizes.lazy.filter((c) => c.size < 10 * 1024)))} |`,
  "",
  "Loaded on first use: the fixture world with faker (only for a simulator without a world of its own),",
  "fflate (the first deflated entry a job inflates), jose (the first token minted or checked),",
  "@noble/hashes (the first in-memory blob, the first stable guid).",
].join("\n");
console.log(report);
if (process.argv.includes("--write")) {
  const file = join(root, "BENCHMARKS.md");
  const doc = readFileSync(file, "utf8");
  const block = `<!-- footprint -->\n${report}\n<!-- /footprint -->`;
  writeFileSync(
    file,
    doc.includes("<!-- footprint -->")
      ? doc.replace(/<!-- footprint -->[\s\S]*<!-- \/footprint -->/, block)
      : `${doc.trimEnd()}\n\n## Footprint (\`npm run footprint\`)\n\n${block}\n`,
  );
}
