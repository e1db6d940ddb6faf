/**
 * `npm run soak`: a long run against the real command, for memory and disk that must stay
 * flat however long the server runs (issue 10, finding 6). It builds dist/, starts
 * `node bin/mock-packages.mjs --port 0 --processing-delay 0 --quiet`, and for SOAK_MINUTES
 * (default 5) runs two kinds of client side by side:
 *
 *  - `cf push` of an app whose one ~80 KB file changes every time (SOAK_CLIENTS of them,
 *    default 2): a resource match for its unchanging ~80 KB vendor file, a new package, the
 *    upload (the vendor file in `resources` when it matched, in the zip when not, as the cf
 *    CLI does), then polling the package until it is READY;
 *  - every SOAK_BURST_SECONDS (default 15), a zip of SOAK_BURST_FILES (default 1000) distinct
 *    100 KiB files (some 200 KB zipped, 100 MiB unzipped, all of it cacheable).
 *
 * Every SOAK_SAMPLE_SECONDS (default 5) it samples the server's resident memory (VmRSS in
 * /proc/<pid>/status) and the bytes in its private temp folder, and prints both curves as a
 * compact table; `--write` also puts it into BENCHMARKS.md between the soak markers.
 * SOAK_ARGS adds server flags, e.g. SOAK_ARGS="--resource-cache-budget 268435456". Linux only.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { mintUserToken } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MINUTES = env("SOAK_MINUTES", 5);
const SAMPLE_SECONDS = env("SOAK_SAMPLE_SECONDS", 5);
const CLIENTS = env("SOAK_CLIENTS", 2);
const BURST_SECONDS = env("SOAK_BURST_SECONDS", 15);
const BURST_FILES = env("SOAK_BURST_FILES", 1000);
const WARM_UP_SECONDS = 60;
const SERVER_ARGS = (process.env.SOAK_ARGS ?? "").split(/\s+/).filter(Boolean);
const MiB = 1024 * 1024;

interface Server {
  child: ChildProcess;
  url: string;
  /** The server's private folder for bits. */
  directory: string;
}

function startServer(): Promise<Server> {
  const args = ["bin/mock-packages.mjs", "--port", "0", "--processing-delay", "0", "--quiet", ...SERVER_ARGS];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const directory = /Bits are kept in (\S+)/.exec(out)?.[1];
      if (url && directory) resolve({ child, url, directory });
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening:\n${out}`)));
  });
}

// ---------------------------------------------------------------------------
// What the clients send.

const words = "const let return function value input options compute export import from the app data".split(" ");
/** About `size` bytes of text, different for each `seed`. */
function text(size: number, seed: number): string {
  let x = seed * 2654435761 + 1;
  const out: string[] = [`// build ${seed}\n`];
  for (let n = 0; n < size;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const word = words[x % words.length]! + (x % 11 === 0 ? ";\n" : " ");
    out.push(word);
    n += word.length;
  }
  return out.join("");
}

const VENDOR = text(80_000, 0);
const vendorEntry = {
  checksum: { value: createHash("sha1").update(VENDOR).digest("hex") },
  size_in_bytes: Buffer.byteLength(VENDOR),
  path: "vendor/lib.js",
  mode: "644",
};

/** `count` distinct 100 KiB files (a header naming burst and file, then zeros), zipped fast. */
function burstZip(burst: number, count: number): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 1 }]> = {};
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(100 * 1024);
    data.set(new TextEncoder().encode(`burst ${burst} file ${i}\n`));
    files[`data/${i}.bin`] = [data, { level: 1 }];
  }
  return zipSync(files);
}

// ---------------------------------------------------------------------------
// The clients.

interface Tally {
  pushes: number;
  matched: number;
  bursts: number;
  failures: string[];
}

class Api {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call(path: string, init: RequestInit = {}): Promise<{ status: number; json: any }> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `bearer ${this.token}`);
    const r = await fetch(`${this.url}${path}`, { ...init, headers });
    const body = await r.text();
    return {
      status: r.status,
      json: body && r.headers.get("content-type")?.includes("json") ? JSON.parse(body) : null,
    };
  }

  json(path: string, body: unknown) {
    return this.call(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** Creates a package of `app`, uploads, and waits for its job: answers the final state or the failure. */
  async push(app: string, bits: Uint8Array, resources: (typeof vendorEntry)[]): Promise<string> {
    const created = await this.json("/v3/packages", { type: "bits", relationships: { app: { data: { guid: app } } } });
    if (created.status !== 201) return `create: ${created.status}`;
    const body = buildCfUploadBody({ bits, resources });
    const up = await this.call(`/v3/packages/${created.json.guid}/upload`, {
      method: "POST",
      headers: { "content-type": body.contentType },
      body: body.body,
    });
    if (up.status !== 200) return `upload: ${up.status}`;
    for (;;) {
      const pkg = await this.call(`/v3/packages/${created.json.guid}`);
      const state = pkg.json.state as string;
      // EXPIRED: it was READY, and five newer packages of the app finished before this poll.
      if (state === "READY" || state === "EXPIRED") return "READY";
      if (state !== "PROCESSING_UPLOAD") return `${state}: ${pkg.json.data.error}`;
      await sleep(10);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One cf push after another, each with a new version of app/main.js, until `until`. */
async function pushLoop(api: Api, app: string, client: number, until: number, tally: Tally): Promise<void> {
  for (let n = 0; Date.now() < until; n++) {
    const match = await api.json("/v3/resource_matches", { resources: [vendorEntry] });
    const matched = match.json?.resources?.length === 1;
    const files: Record<string, string> = {
      "app/main.js": text(80_000, client * 1_000_000 + n + 1),
      "package.json": '{"name":"soak","version":"1.0.0"}\n',
      "public/index.html": "<h1>soak</h1>\n",
    };
    if (!matched) files["vendor/lib.js"] = VENDOR;
    const result = await api.push(app, await buildAppZip(files, { directories: true }), matched ? [vendorEntry] : []);
    if (result !== "READY") tally.failures.push(result);
    tally.pushes++;
    if (matched) tally.matched++;
  }
}

/** A zip of many distinct files every BURST_SECONDS, until `until`. */
async function burstLoop(api: Api, app: string, until: number, tally: Tally): Promise<void> {
  for (let n = 1; Date.now() + BURST_SECONDS * 1000 < until; n++) {
    const next = Date.now() + BURST_SECONDS * 1000;
    const result = await api.push(app, burstZip(n, BURST_FILES), []);
    if (result !== "READY") tally.failures.push(`burst: ${result}`);
    tally.bursts++;
    await sleep(Math.max(0, next - Date.now()));
  }
}

// ---------------------------------------------------------------------------
// Samples and the report.

interface Sample {
  seconds: number;
  rssMiB: number;
  diskMiB: number;
  pushes: number;
  bursts: number;
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Bytes of the files in a folder (they come and go while it is read). */
function folderMiB(directory: string): number {
  let bytes = 0;
  for (const name of readdirSync(directory)) {
    try {
      bytes += statSync(join(directory, name)).size;
    } catch {
      /* deleted meanwhile */
    }
  }
  return bytes / MiB;
}

function budgetMiB(): number {
  const i = SERVER_ARGS.indexOf("--resource-cache-budget");
  return (i >= 0 ? Number(SERVER_ARGS[i + 1]) : 536870912) / MiB;
}

function report(samples: Sample[], tally: Tally, seconds: number): string {
  const stride = Math.max(1, Math.round(samples.length / 10));
  const rows = samples.filter((_, i) => i % stride === 0 || i === samples.length - 1);
  const warm = samples.find((s) => s.seconds >= WARM_UP_SECONDS) ?? samples[0]!;
  const after = samples.filter((s) => s.seconds >= warm.seconds);
  const maxRss = Math.max(...after.map((s) => s.rssMiB));
  const maxDisk = Math.max(...samples.map((s) => s.diskMiB));
  const f = (n: number) => n.toFixed(0);
  return [
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`,
    `${(seconds / 60).toFixed(1)} minutes: ${tally.pushes} cf pushes of an app whose one ~80 KB file changes each time (${CLIENTS} clients; the vendor file matched ${tally.matched} times), ${tally.bursts} zips of ${BURST_FILES} distinct 100 KiB files; ${tally.failures.length} failed.`,
    `Server: \`mock-packages --processing-delay 0 --quiet${SERVER_ARGS.length ? " " + SERVER_ARGS.join(" ") : ""}\`, resource cache budget ${f(budgetMiB())} MiB.`,
    "",
    "| time | cf pushes | zips of many files | RSS MiB | temp folder MiB |",
    "|---:|---:|---:|---:|---:|",
    ...rows.map((s) => `| ${f(s.seconds)} s | ${s.pushes} | ${s.bursts} | ${f(s.rssMiB)} | ${f(s.diskMiB)} |`),
    "",
    `Memory after the ${WARM_UP_SECONDS} s warm-up: ${f(warm.rssMiB)} MiB, at most ${f(maxRss)} MiB after it (**+${f(maxRss - warm.rssMiB)} MiB**, goal < 100), ${f(samples.at(-1)!.rssMiB)} MiB at the end.`,
    `Temp folder: at most **${f(maxDisk)} MiB** (the cache's budget ${f(budgetMiB())} MiB, plus stored packages and uploads in flight).`,
  ].join("\n");
}

async function main(): Promise<void> {
  const built = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
  const server = await startServer();
  const pid = server.child.pid!;
  const api = new Api(server.url, await mintUserToken("space-developer"));
  const apps = (await api.call("/v3/apps?names=web-app,worker-app")).json.resources as Array<{
    guid: string;
    name: string;
  }>;
  const app = (name: string) => apps.find((a) => a.name === name)!.guid;
  const tally: Tally = { pushes: 0, matched: 0, bursts: 0, failures: [] };
  const started = Date.now();
  const until = started + MINUTES * 60_000;
  const samples: Sample[] = [];
  const sample = () => {
    const s = {
      seconds: (Date.now() - started) / 1000,
      rssMiB: rssMiB(pid),
      diskMiB: folderMiB(server.directory),
      pushes: tally.pushes,
      bursts: tally.bursts,
    };
    samples.push(s);
    console.error(
      `${s.seconds.toFixed(0)} s: ${s.pushes} pushes, ${s.bursts} bursts, RSS ${s.rssMiB.toFixed(0)} MiB, temp ${s.diskMiB.toFixed(0)} MiB`,
    );
  };
  sample();
  const timer = setInterval(sample, SAMPLE_SECONDS * 1000);
  await Promise.all([
    ...Array.from({ length: CLIENTS }, (_, c) => pushLoop(api, app("web-app"), c, until, tally)),
    burstLoop(api, app("worker-app"), until, tally),
  ]);
  clearInterval(timer);
  sample();
  server.child.kill("SIGTERM");
  const text = report(samples, tally, (Date.now() - started) / 1000);
  console.log(text);
  if (tally.failures.length) console.log(`First failures: ${[...new Set(tally.failures)].slice(0, 5).join("; ")}`);
  if (process.argv.includes("--write")) writeReport(text);
}

function writeReport(text: string): void {
  const file = join(root, "BENCHMARKS.md");
  const doc = readFileSync(file, "utf8");
  const block = `<!-- soak -->\n${text}\n<!-- /soak -->`;
  const next = /<!-- soak -->[\s\S]*<!-- \/soak -->/.test(doc)
    ? doc.replace(/<!-- soak -->[\s\S]*<!-- \/soak -->/, block)
    : `${doc.trimEnd()}\n\n## Soak (\`npm run soak\`)\n\n${block}\n`;
  writeFileSync(file, next);
}

await main();
