/**
 * The package as a consumer gets it (issue 13): the repository is packed with `npm pack`, and
 * the tarball (the file, not a workspace link) is installed into two projects in the
 * temporary directory, outside the repository and its workspaces:
 *
 * - "alone": mock-packages and nothing else. Its size in node_modules (under 25 MB), no install
 *   script, `npx mock-packages --help`, the dashboard's files served by the installed server, and
 *   the README's command-line sample run as written.
 * - "consumer": with msw, vitest, @types/node, the contract checker's optional peers and
 *   TypeScript 5.0 and the newest 5.x (npm aliases). A strict consumer of every entry point and
 *   the README's browser sample are type-checked with both, under `nodenext` and `bundler`,
 *   with skipLibCheck off; the README's msw sample, an upload over HTTP through `serve()` and
 *   the tests of examples/consumer run there with vitest.
 *
 * The tarball is installed fresh on every run. The consumer's third-party dependencies (some
 * 180 MB) are installed once a day into a folder that the consumer projects are made inside
 * (`sharedDependencies`): Node and TypeScript find them one folder up, and mock-packages is
 * never among them. The tests run concurrently, each waiting for the install it needs, so that
 * the checks of one project run while the other installs.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  folderBytes,
  freePort,
  installedVersion,
  installProject,
  readmeSamples,
  run,
  said,
  sharedDependencies,
  type RunResult,
} from "./packaging/project.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const TEMPLATE = join(root, "test/packaging/consumer");
const manifest = (path: string) =>
  JSON.parse(readFileSync(join(root, path), "utf8")) as {
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
const rootManifest = manifest("package.json");
const samples = readmeSamples(join(root, "README.md"));

/** The TypeScript versions the consumer is checked with, as npm aliases installed side by side. */
const TYPESCRIPTS: Record<string, string> = {
  "typescript-5.0": "npm:typescript@~5.0.0",
  "typescript-5": "npm:typescript@5",
};
/** moduleResolution → the module setting that goes with it. */
const RESOLUTIONS: Record<string, string> = { nodenext: "nodenext", bundler: "esnext" };
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare"];
const MB = 1_000_000;
/** Per test: an install from a cold npm cache, or a run on a machine busy with the other tests. */
const SLOW = 300_000;

let work: string;
let tarball: string;
/** The consumer project, and the folder whose node_modules holds its third-party dependencies. */
interface Consumer {
  dir: string;
  deps: string;
}
let alone: Promise<{ dir: string; install: RunResult }>;
let consumer: Promise<Consumer>;
const figures: string[] = [];

/** Keeps a rejection of a promise the tests await later from counting as unhandled meanwhile. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

async function pack(): Promise<string> {
  const r = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root);
  if (r.code !== 0) throw new Error(said("npm pack", r));
  figures.push(`pack ${(r.ms / 1000).toFixed(1)} s`);
  return join(work, (JSON.parse(r.stdout) as { filename: string }[])[0]!.filename);
}

async function installAlone(): Promise<{ dir: string; install: RunResult }> {
  const dir = join(work, "alone");
  const install = await installProject(dir, { "mock-packages": `file:${tarball}` });
  figures.push(`install alone ${(install.ms / 1000).toFixed(1)} s`);
  return { dir, install };
}

/**
 * The consumer project: the tarball installed into a fresh project inside the folder of the
 * shared third-party dependencies, then the README's samples, the examples and the templates.
 */
async function installConsumer(): Promise<Consumer> {
  const { "mock-packages": _link, ...exampleDeps } = manifest("examples/consumer/package.json").devDependencies;
  const peers = rootManifest.peerDependencies;
  const shared = await sharedDependencies({
    ...exampleDeps,
    "@stoplight/prism-http": peers["@stoplight/prism-http"]!,
    "@stoplight/types": peers["@stoplight/types"]!,
    "@types/node": rootManifest.devDependencies["@types/node"]!,
    ...TYPESCRIPTS,
  });
  figures.push(
    shared.install
      ? `install consumer's dependencies ${(shared.install.ms / 1000).toFixed(1)} s`
      : "consumer's dependencies from today's earlier run",
  );
  const dir = mkdtempSync(join(shared.dir, "run-"));
  const install = await installProject(dir, { "mock-packages": `file:${tarball}` });
  figures.push(`install consumer ${(install.ms / 1000).toFixed(1)} s`);
  cpSync(TEMPLATE, dir, { recursive: true });
  for (const sample of samples.filter((s) => s.lang === "ts")) {
    mkdirSync(dirname(join(dir, sample.path)), { recursive: true });
    writeFileSync(join(dir, sample.path), sample.code);
  }
  for (const part of ["src", "test"]) {
    cpSync(join(root, "examples/consumer", part), join(dir, "examples-consumer", part), { recursive: true });
  }
  cpSync(join(root, "examples/browser-upload/src/main.ts"), join(dir, "typecheck/browser-upload-main.ts"));
  writeTsconfigs(dir);
  return { dir, deps: shared.dir };
}

/** One tsconfig per resolution for typecheck/ (skipLibCheck off), one for the test files. */
function writeTsconfigs(dir: string): void {
  const strict = {
    strict: true,
    skipLibCheck: false,
    // TypeScript's own lib.*.d.ts say nothing of this package, and checking them doubled the time.
    skipDefaultLibCheck: true,
    noEmit: true,
    isolatedModules: true,
    target: "ES2022",
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    types: ["node"],
    resolveJsonModule: true,
  };
  for (const [moduleResolution, module] of Object.entries(RESOLUTIONS)) {
    const config = { compilerOptions: { ...strict, module, moduleResolution }, include: ["typecheck"] };
    writeFileSync(join(dir, `tsconfig.${moduleResolution}.json`), JSON.stringify(config, null, 2));
  }
  // vitest's own declarations need TypeScript 5.4 or so with skipLibCheck off: the test files
  // are checked with the newest 5.x and skipLibCheck on, as most projects set it.
  const tests = {
    compilerOptions: { ...strict, skipLibCheck: true, module: "nodenext", moduleResolution: "nodenext" },
    include: ["test", "examples-consumer"],
  };
  writeFileSync(join(dir, "tsconfig.tests.json"), JSON.stringify(tests, null, 2));
}

/** Runs jobs with at most `limit` at a time (the type-checks take a core each). */
async function limited<T, R>(items: T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mock-packages-packaging-"));
  tarball = await pack();
  alone = started(installAlone());
  consumer = started(installConsumer());
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([alone, consumer]);
  if (work) rmSync(work, { recursive: true, force: true });
  const made = await consumer?.catch(() => null);
  if (made) rmSync(made.dir, { recursive: true, force: true });
  console.log(`packaging: ${figures.join("; ")}`);
}, 60_000);

it("the README marks samples of each kind: a command-line session, a test file, a typed module", () => {
  expect(samples.map((s) => s.path)).toEqual(
    expect.arrayContaining([expect.stringMatching(/\.sh$/), expect.stringMatching(/^test\/.*\.test\.ts$/)]),
  );
  expect(samples.some((s) => s.path.startsWith("typecheck/"))).toBe(true);
  for (const s of samples) {
    expect(s.path, "a sample is a .sh to run, a test/*.test.ts or a typecheck/*.ts").toMatch(
      /^([\w-]+\.sh|test\/[\w-]+\.test\.ts|typecheck\/[\w-]+\.ts)$/,
    );
  }
});

describe.concurrent("mock-packages installed alone", { timeout: SLOW }, () => {
  it("is a copy of the tarball, under 25 MB in node_modules, with no install script", async () => {
    const { dir, install } = await alone;
    const installed = join(dir, "node_modules", "mock-packages");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    // Alone: no optional peer came along (msw, Prism).
    expect(existsSync(join(dir, "node_modules", "msw"))).toBe(false);
    expect(existsSync(join(dir, "node_modules", "@stoplight", "prism-http"))).toBe(false);
    const bytes = folderBytes(join(dir, "node_modules"));
    figures.push(`node_modules of mock-packages alone ${(bytes / MB).toFixed(1)} MB`);
    expect(bytes).toBeLessThan(25 * MB);
    const { scripts = {} } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    expect(Object.keys(scripts).filter((name) => INSTALL_SCRIPTS.includes(name))).toEqual([]);
    // npm 11 names every package with an install script it did not run; none here.
    expect(install.stdout + install.stderr).not.toMatch(/install-scripts/);
  });

  it("holds every file the README links to or shows (BENCHMARKS.md, the dashboard's screenshot)", async () => {
    const { dir } = await alone;
    const installed = join(dir, "node_modules", "mock-packages");
    const readme = readFileSync(join(installed, "README.md"), "utf8");
    const targets = [...readme.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(targets).toEqual(expect.arrayContaining(["BENCHMARKS.md", "docs/dashboard.png"]));
    expect(targets.filter((target) => !existsSync(join(installed, target)))).toEqual([]);
  });

  it("npx mock-packages --help answers from the installed package", async () => {
    const { dir } = await alone;
    const r = await run("npx", ["mock-packages", "--help"], dir);
    expect(r.code, said("npx mock-packages --help", r)).toBe(0);
    expect(r.stdout).toContain("mock-packages token --user NAME");
    expect(r.stderr).toBe("");
  });

  it("serves the dashboard's files from the installed package (built into dist/ui, shipped)", async () => {
    const { dir } = await alone;
    const port = await freePort();
    const bin = join(dir, "node_modules", "mock-packages", "bin", "mock-packages.mjs");
    const server = spawn(process.execPath, [bin, "--port", String(port), "--quiet"], { cwd: dir, stdio: "ignore" });
    try {
      const base = `http://127.0.0.1:${port}/__mock/ui/`;
      let page: Response | null = null;
      for (let i = 0; i < 300 && page === null; i++) {
        page = await fetch(base).catch(() => null);
        if (page === null) await new Promise((r) => setTimeout(r, 100));
      }
      expect(page?.status, "the installed server did not answer within 30 s").toBe(200);
      expect(page!.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page!.text();
      const assets = [...html.matchAll(/(?:src|href)="\.\/([\w.-]+\.(?:js|css))"/g)].map((m) => m[1]!);
      expect(assets.sort()).toEqual(["app.css", "app.js"]);
      for (const file of assets) {
        const answer = await fetch(new URL(file, base));
        expect(answer.status, file).toBe(200);
        expect((await answer.arrayBuffer()).byteLength, file).toBeGreaterThan(1000);
      }
    } finally {
      server.kill("SIGTERM");
    }
  });

  for (const sample of samples.filter((s) => s.lang === "sh")) {
    it(`the README's ${sample.path} runs as written (on a free port instead of 4010)`, async () => {
      const { dir } = await alone;
      const tools = await run("bash", ["-c", "command -v curl && command -v zip"], dir);
      expect(tools.code, "the README's command-line sample needs curl and zip (Debian: apt-get install curl zip)").toBe(
        0,
      );
      const port = await freePort();
      writeFileSync(join(dir, sample.path), sample.code.replaceAll("4010", String(port)));
      const r = await run("bash", ["-e", sample.path], dir, 120_000);
      figures.push(`${sample.path} ${(r.ms / 1000).toFixed(1)} s`);
      expect(r.code, said(sample.path, r)).toBe(0);
      const lines = r.stdout.split("\n");
      expect(r.stdout, said(sample.path, r)).toContain('"state":"PROCESSING_UPLOAD"');
      expect(lines, said(sample.path, r)).toContain("READY");
      const zipSha256 = createHash("sha256")
        .update(readFileSync(join(dir, "app.zip")))
        .digest("hex");
      expect(lines, said(sample.path, r)).toContain(`${zipSha256}  -`);
      // The last line stopped the server, which removes its pid file on the way out.
      expect(existsSync(join(dir, "mock-packages.pid"))).toBe(false);
    });
  }
});

describe.concurrent("a consumer project with the tarball, msw, vitest and TypeScript", { timeout: SLOW }, () => {
  it("type-checks every entry point and the README's typed samples with TypeScript 5.0 and the newest 5.x", async () => {
    const { dir, deps } = await consumer;
    const programs = Object.keys(TYPESCRIPTS).flatMap((ts) =>
      Object.keys(RESOLUTIONS).map((resolution) => ({ ts, config: `tsconfig.${resolution}.json` })),
    );
    programs.push({ ts: "typescript-5", config: "tsconfig.tests.json" });
    const t0 = performance.now();
    const results = await limited(programs, 2, ({ ts, config }) =>
      run(process.execPath, [join(deps, "node_modules", ts, "bin", "tsc"), "-p", config], dir),
    );
    const versions = Object.keys(TYPESCRIPTS).map((ts) => installedVersion(deps, ts));
    figures.push(
      `tsc ${versions.join(" and ")}: ${programs.length} programs ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(versions[0]).toMatch(/^5\.0\./);
    results.forEach((r, i) => {
      const { ts, config } = programs[i]!;
      expect(r.code, said(`${ts} (${installedVersion(deps, ts)}) -p ${config}`, r)).toBe(0);
    });
  });

  it("runs the README's msw sample, an upload over HTTP and examples/consumer with vitest", async () => {
    const { dir, deps } = await consumer;
    const vitest = join(deps, "node_modules", "vitest", "vitest.mjs");
    // Generous timeouts: this run shares the machine with the repository's own tests.
    const r = await run(
      process.execPath,
      [vitest, "run", "--reporter=default", "--reporter=json", "--outputFile.json=results.json"].concat([
        "--testTimeout=60000",
        "--hookTimeout=120000",
      ]),
      dir,
    );
    figures.push(`consumer vitest ${(r.ms / 1000).toFixed(1)} s`);
    expect(r.code, said("vitest run", r)).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { name: string; status: string }[];
    };
    const files = results.testResults.map((f) => f.name.slice(dir.length + 1)).sort();
    const expected = [
      "examples-consumer/test/upload-client.test.ts",
      "test/serve.spec.ts",
      ...samples.filter((s) => s.path.startsWith("test/")).map((s) => s.path),
    ].sort();
    expect(files).toEqual(expected);
    expect(results.numFailedTests).toBe(0);
    expect(results.numPassedTests).toBeGreaterThanOrEqual(expected.length);
  });
});
