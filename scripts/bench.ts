/**
 * `npm run bench`: mock-packages (A) against Prism's mock server (B) and a bare
 * node:http server (C), side by side in one run, on loopback only.
 *
 *   (1) upload of a 10 KB zip with a 20-entry `resources` field, each to a fresh
 *       package (create, then upload: both requests count)
 *   (2) GET /v3/packages/{guid}
 *   (3) one large upload (default 512 MiB; BENCH_BIG_MIB): throughput and peak RSS (A and C)
 *   (4) time from process start to the first answered request
 *
 * Prints a Markdown table and the ratios; `--write` also writes BENCHMARKS.md.
 * Environment: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 10), BENCH_BIG_MIB.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { buildAppZip, buildMultipart } from "../fixtures/index.js";
import { mintUserToken } from "../src/index.js";
import { bigZip, streamUpload } from "./big-zip.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 512);
/** Run only some workloads, e.g. BENCH_ONLY=1,2 (for profiling; the report then has gaps). */
const ONLY = new Set((process.env.BENCH_ONLY ?? "1,2,3,4").split(","));

type Name = "A" | "B" | "C";
const LABEL: Record<Name, string> = {
  A: "A mock-packages",
  B: "B prism mock",
  C: "C bare node:http",
};

interface Running {
  child: ChildProcess;
  url: string;
  startMs: number;
  stop(): Promise<void>;
}

function startServer(name: Name): Promise<Running> {
  const started = performance.now();
  const [cmd, args] =
    name === "A"
      ? [process.execPath, [`${root}bin/mock-packages.mjs`, "--port", "0", "--processing-delay", "0", "--quiet"]]
      : name === "B"
        ? [
            process.execPath,
            [
              `${root}node_modules/@stoplight/prism-cli/dist/index.js`,
              "mock",
              `${root}spec/openapi.yaml`,
              "--port",
              String(40000 + Math.floor(Math.random() * 20000)),
              "--host",
              "127.0.0.1",
              "--errors",
              "false",
            ],
          ]
        : [process.execPath, [`${root}scripts/bare-server.mjs`, "0"]];
  const child = spawn(cmd, args as string[], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[\d.:]+)/i.exec(out) ?? /Prism is listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          child,
          url: m[1]!.replace(/\/$/, ""),
          startMs: performance.now() - started,
          stop: () =>
            new Promise<void>((r) => {
              child.once("close", () => r());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (out += d));
    child.once("close", (code) => reject(new Error(`${LABEL[name]} exited (${code}) before listening:\n${out}`)));
  });
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Time from spawn to the first answered request (the median of three). */
async function startupMs(name: Name): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const s = await startServer(name);
    const path = name === "B" ? "/v3" : "/v3";
    for (;;) {
      try {
        const r = await fetch(s.url + path);
        await r.arrayBuffer();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    times.push(performance.now() - t0);
    await s.stop();
  }
  return Math.round(times.sort((a, b) => a - b)[1]!);
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  rssMiB: number;
}

async function load(s: Running, requests: autocannon.Request[]): Promise<LoadResult> {
  const result = await autocannon({ url: s.url, connections: CONNECTIONS, duration: SECONDS, requests });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    rssMiB: peakRssMiB(s.child.pid!),
  };
}

async function uploadWorkload(name: Name, token: string): Promise<LoadResult> {
  const s = await startServer(name);
  try {
    const auth: Record<string, string> = name === "C" ? {} : { authorization: `Bearer ${token}` };
    let appGuid = "9d8ec3b2-5dd4-4a1b-b1a0-2c6c3f0f2b77";
    if (name === "A") {
      const apps = (await (await fetch(`${s.url}/v3/apps?names=web-app`, { headers: auth })).json()) as {
        resources: Array<{ guid: string }>;
      };
      appGuid = apps.resources[0]!.guid;
    }
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`src/file-${i}.js`] = `// ${i}\n` + "x".repeat(1000 + i * 37) + "\n";
    const zip = await buildAppZip(files, { compression: "STORE" });
    const resources = Array.from({ length: 20 }, (_, i) => ({
      path: `lib/cached-${i}.bin`,
      mode: "644",
      checksum: { value: createHash("sha1").update(`cached-${i}`).digest("hex") },
      size_in_bytes: 70000 + i,
    }));
    const body = buildMultipart([
      { name: "resources", content: JSON.stringify(resources) },
      { name: "bits", filename: "package.zip", contentType: "application/octet-stream", content: zip },
    ]);
    const create = JSON.stringify({ type: "bits", relationships: { app: { data: { guid: appGuid } } } });
    return await load(s, [
      {
        method: "POST",
        path: "/v3/packages",
        headers: { ...auth, "content-type": "application/json" },
        body: create,
        onResponse: (_status, resBody, context) => {
          try {
            (context as { guid?: string }).guid = JSON.parse(resBody).guid;
          } catch {
            (context as { guid?: string }).guid = appGuid;
          }
        },
      },
      {
        method: "POST",
        headers: { ...auth, "content-type": body.contentType },
        body: Buffer.from(body.body),
        setupRequest: (req, context) => ({
          ...req,
          path: `/v3/packages/${(context as { guid?: string }).guid}/upload`,
        }),
      },
    ]);
  } finally {
    await s.stop();
  }
}

async function getWorkload(name: Name, token: string): Promise<LoadResult> {
  const s = await startServer(name);
  try {
    const auth: Record<string, string> = name === "C" ? {} : { authorization: `Bearer ${token}` };
    let guid = "9d8ec3b2-5dd4-4a1b-b1a0-2c6c3f0f2b77";
    if (name === "A") {
      const list = (await (await fetch(`${s.url}/v3/packages?states=READY&types=bits`, { headers: auth })).json()) as {
        resources: Array<{ guid: string }>;
      };
      guid = list.resources[0]!.guid;
    }
    return await load(s, [{ method: "GET", path: `/v3/packages/${guid}`, headers: auth }]);
  } finally {
    await s.stop();
  }
}

interface BigResult {
  mibps: number;
  seconds: number;
  rssMiB: number;
  status: number;
}

async function bigUpload(name: Name, token: string): Promise<BigResult> {
  const s = await startServer(name);
  try {
    const auth: Record<string, string> = name === "C" ? {} : { authorization: `bearer ${token}` };
    let path = "/v3/packages/9d8ec3b2-5dd4-4a1b-b1a0-2c6c3f0f2b77/upload";
    if (name === "A") {
      const apps = (await (await fetch(`${s.url}/v3/apps?names=web-app`, { headers: auth })).json()) as {
        resources: Array<{ guid: string }>;
      };
      const list = (await (
        await fetch(`${s.url}/v3/packages?states=AWAITING_UPLOAD&app_guids=${apps.resources[0]!.guid}`, {
          headers: auth,
        })
      ).json()) as { resources: Array<{ guid: string }> };
      path = `/v3/packages/${list.resources[0]!.guid}/upload`;
    }
    const { status, seconds } = await streamUpload(`${s.url}${path}`, auth, bigZip(BIG_MIB * 1024 * 1024));
    if (name === "A") {
      // Let the background job finish (zip inspection, caching, the stored zip) before reading the peak.
      for (;;) {
        const p = (await (await fetch(`${s.url}${path.replace(/\/upload$/, "")}`, { headers: auth })).json()) as {
          state: string;
        };
        if (p.state !== "PROCESSING_UPLOAD") break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return {
      mibps: Math.round(BIG_MIB / seconds),
      seconds: +seconds.toFixed(2),
      rssMiB: peakRssMiB(s.child.pid!),
      status,
    };
  } finally {
    await s.stop();
  }
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");

async function main() {
  const token = await mintUserToken("space-developer");
  const names: Name[] = ["A", "B", "C"];
  const upload = {} as Record<Name, LoadResult>;
  const get = {} as Record<Name, LoadResult>;
  const startup = {} as Record<Name, number>;
  const none: LoadResult = { rps: 0, p50: 0, p99: 0, non2xx: 0, errors: 0, rssMiB: 0 };
  for (const n of names) {
    console.error(`(1) upload workload: ${LABEL[n]}`);
    upload[n] = ONLY.has("1") ? await uploadWorkload(n, token) : none;
  }
  for (const n of names) {
    console.error(`(2) GET workload: ${LABEL[n]}`);
    get[n] = ONLY.has("2") ? await getWorkload(n, token) : none;
  }
  console.error(`(3) ${BIG_MIB} MiB upload: A and C`);
  const noBig: BigResult = { mibps: 0, seconds: 0, rssMiB: 0, status: 0 };
  const big = ONLY.has("3")
    ? { A: await bigUpload("A", token), C: await bigUpload("C", token) }
    : { A: noBig, C: noBig };
  for (const n of names) {
    console.error(`(4) start-up: ${LABEL[n]}`);
    startup[n] = ONLY.has("4") ? await startupMs(n) : 0;
  }

  const row = (n: Name, r: LoadResult) =>
    `| ${LABEL[n]} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.rssMiB} |`;
  const head =
    "| server | req/s | p50 ms | p99 ms | non-2xx | errors | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|";
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`,
    `Load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per server and workload; each server a fresh process on 127.0.0.1.`,
    "",
    "### (1) Upload: create a package, then upload a 10 KB zip with a 20-entry `resources` field (both requests count)",
    "",
    head,
    ...names.map((n) => row(n, upload[n])),
    "",
    `A/B = **${ratio(upload.A.rps, upload.B.rps)}** (goal ≥ 20×), A/C = **${ratio(upload.A.rps, upload.C.rps)}** (goal ≥ 0.3×)`,
    "",
    "### (2) `GET /v3/packages/{guid}`",
    "",
    head,
    ...names.map((n) => row(n, get[n])),
    "",
    `A/B = **${ratio(get.A.rps, get.B.rps)}**, A/C = **${ratio(get.A.rps, get.C.rps)}** (goal ≥ 0.6×)`,
    "",
    `### (3) One ${BIG_MIB} MiB upload (one stored entry of pseudo-random bytes)`,
    "",
    "| server | status | seconds | MiB/s | peak RSS MiB |\n|---|---:|---:|---:|---:|",
    `| ${LABEL.A} (stream to a temp file with sha1+sha256, then the job: unzip check, cache, stored zip) | ${big.A.status} | ${big.A.seconds} | ${big.A.mibps} | ${big.A.rssMiB} |`,
    `| ${LABEL.C} (drain to a temp file with sha256) | ${big.C.status} | ${big.C.seconds} | ${big.C.mibps} | ${big.C.rssMiB} |`,
    "",
    `A/C throughput = **${ratio(big.A.mibps, big.C.mibps)}** (goal ≥ 0.5×); A's peak RSS **${big.A.rssMiB} MiB** (goal < 150 MiB). Prism is not run here: it reads a multipart body as one string.`,
    "",
    "### (4) Start-up: process start to the first answered request (median of 3)",
    "",
    "| server | ms |\n|---|---:|",
    ...names.map((n) => `| ${LABEL[n]} | ${startup[n]} |`),
    "",
    `A/B = **${ratio(startup.A, startup.B)}** (goal < 0.5×)`,
  ];
  const report = lines.join("\n");
  console.log(report);
  if (process.argv.includes("--write")) {
    const doc = readFileSync(`${root}BENCHMARKS.md`, "utf8").replace(
      /<!-- results -->[\s\S]*<!-- \/results -->/,
      `<!-- results -->\n${report}\n<!-- /results -->`,
    );
    writeFileSync(`${root}BENCHMARKS.md`, doc);
  }
}

await main();
