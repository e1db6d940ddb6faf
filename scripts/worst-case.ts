/**
 * `npm run worst-case`: the worst requests we can build, one at a time, against the real
 * command, for issue 10's goal that no request, authenticated or not, makes the server's
 * peak memory exceed about 400 MiB or block its event loop for more than 100 ms.
 *
 * For each hostile shape (scripts/worst-case/shapes.ts) it builds dist/, starts a fresh
 * `node bin/mock-packages.mjs --port 0 --quiet --processing-delay 0` (plus
 * `--contract-verdicts` where the shape says so), warms it up, and then:
 *
 *  1. resets the server's peak memory (`echo 5 > /proc/<pid>/clear_refs`);
 *  2. starts the event-loop probe (scripts/worst-case/probe.ts): small requests one after
 *     another from a worker thread, each timed; 300 ms of them before the hostile request
 *     give the baseline (the median answer time when nothing blocks);
 *  3. sends the hostile request(s), streamed from generators (scripts/worst-case/bodies.ts),
 *     and for an accepted upload waits for its background job;
 *  4. one second after the answer (or the dropped connection), reads the peak (VmHWM) and
 *     stops the probe.
 *
 * A row: the shape, what it was answered (or `died (…)` when the server ended, `frozen` when
 * nothing came in WORST_CASE_TIMEOUT seconds, default 90: the server is then killed), the peak
 * memory, its growth over the idle server, the longest probe less the baseline (the longest
 * time the event loop was blocked, as a client sees it), and the seconds the shape took.
 *
 * WORST_CASE_ONLY=<text> runs the shapes whose name contains it (case-insensitive).
 * `--write` puts the table into BENCHMARKS.md between the worst-case markers (not with
 * WORST_CASE_ONLY: a part of the table would replace the whole). Linux only.
 */
import { spawnSync } from "node:child_process";
import { setMaxListeners } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAppZip } from "../fixtures/index.js";
import { mintUserToken } from "../src/index.js";
import { bytes, multipart } from "./worst-case/bodies.js";
import { callJson, send } from "./worst-case/http.js";
import { startProbe } from "./worst-case/probe.js";
import { resetPeak, startServer, statusMiB, watchPeak, type Server } from "./worst-case/server.js";
import { SHAPES, type Shape, type Target } from "./worst-case/shapes.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const TIMEOUT_SECONDS = Number(process.env.WORST_CASE_TIMEOUT ?? 90);
const ONLY = process.env.WORST_CASE_ONLY?.toLowerCase();
/** Pause between probes: a probe a millisecond, without taking the server's every cycle. */
const PROBE_GAP_MS = 1;
const BASELINE_MS = 300;
const AFTER_MS = 1000;
const SERVER_ARGS = ["--processing-delay", "0"];
const GOAL = { peakMiB: 400, blockMs: 100 };

interface Row {
  shape: string;
  answer: string;
  idleMiB: number;
  peakMiB: number;
  /** The server died: the peak is the last one read before it did. */
  died: boolean;
  /** The server died or froze: the figures are what was seen until then, lower bounds. */
  cutShort: boolean;
  blockMs: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** Finds what the shapes work on, and sends what loads the server's lazy modules (the multipart parser, the zip reader, jose, Prism). */
async function prepare(server: Server, admin: string): Promise<Omit<Target, "signal">> {
  const apps = await callJson(`${server.url}/v3/apps?names=web-app`, { token: admin });
  const app = apps.json.resources[0].guid as string;
  const list = await callJson(`${server.url}/v3/packages?states=AWAITING_UPLOAD`, { token: admin });
  const packages = list.json.resources as Array<{ guid: string; relationships: { app: { data: { guid: string } } } }>;
  const awaiting = (packages.find((p) => p.relationships.app.data.guid === app) ?? packages[0]!).guid;
  const zip = await buildAppZip({ "index.js": "console.log('warm')\n".repeat(200) });
  const form = multipart([
    { name: "resources", body: bytes('[{"fn":"a.js","size":1,"sha1":"0000000000000000000000000000000000000000"}]') },
    { name: "bits", filename: "package.zip", body: bytes(zip) },
  ]);
  const warm = await send(`${server.url}/v3/packages/${awaiting}/upload`, {
    method: "POST",
    headers: { "content-type": form.contentType },
    body: form.body,
  });
  if (warm.status !== 401)
    throw new Error(`the warm-up upload without a token got ${warm.status ?? warm.error}, not 401`);
  return { url: server.url, admin, awaiting, app };
}

/** Runs one shape against a fresh server and measures it. */
async function measure(shape: Shape, admin: string): Promise<Row> {
  const server = await startServer([...SERVER_ARGS, ...(shape.args ?? [])]);
  try {
    const target = await prepare(server, admin);
    resetPeak(server.pid);
    const idleMiB = statusMiB(server.pid, "VmHWM");
    const peak = watchPeak(server.pid);
    const probe = startProbe(server.url, PROBE_GAP_MS);
    await sleep(BASELINE_MS);
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one listener for each request in flight: 50 at once
    const from = now();
    const FROZEN = Symbol("frozen");
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      shape.run({ ...target, signal: controller.signal }).catch((e: Error) => `script error: ${e.message}`),
      server.exited,
      new Promise<typeof FROZEN>((r) => (timer = setTimeout(() => r(FROZEN), TIMEOUT_SECONDS * 1000))),
    ]);
    clearTimeout(timer);
    const seconds = (now() - from) / 1000;
    if (outcome === FROZEN) server.child.kill("SIGKILL");
    controller.abort();
    if (!server.dead()) await sleep(AFTER_MS);
    const died = server.dead() && outcome !== FROZEN;
    const answer = outcome === FROZEN ? `frozen: no answer in ${TIMEOUT_SECONDS} s (killed)` : outcome;
    const how = died ? await server.exited : "";
    // A server that answered and died afterwards: both; one that died mid-request: how it died.
    const said =
      died && answer !== how && !answer.startsWith("no answer") ? `${answer}, then ${how}` : died ? how : answer;
    const peakMiB = peak.stop();
    const { baselineMs, longestMs } = await probe.stop(from);
    return {
      shape: shape.name,
      answer: said,
      idleMiB,
      peakMiB,
      died,
      cutShort: died || outcome === FROZEN,
      blockMs: Math.max(0, longestMs - baselineMs),
      seconds,
    };
  } finally {
    await server.stop();
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "CPU";
  return `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`;
}

/** The table, with every figure over the goal in bold. */
function report(rows: Row[], seconds: number): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "?");
  const bold = (text: string, over: boolean) => (over ? `**${text}**` : text);
  const idle = rows.map((r) => r.idleMiB).filter(Number.isFinite);
  return [
    machine(),
    `Server: \`mock-packages --port 0 --quiet ${SERVER_ARGS.join(" ")}\`, a fresh one for each shape, idle at ${f(Math.min(...idle))}–${f(Math.max(...idle))} MiB after warming up (the most with \`--contract-verdicts\`). Whole run: ${f(seconds)} s.`,
    "",
    "| shape | answer | peak MiB | growth MiB | longest block ms | seconds |",
    "|---|---|---:|---:|---:|---:|",
    ...rows.map((r) => {
      const atLeast = r.cutShort ? "≥ " : "";
      const peak = bold(`${atLeast}${f(r.peakMiB)}`, r.died || Math.round(r.peakMiB) > GOAL.peakMiB);
      const growth = `${atLeast}+${f(r.peakMiB - r.idleMiB)}`;
      const block = bold(`${atLeast}${f(r.blockMs)}`, Math.round(r.blockMs) > GOAL.blockMs);
      const seconds = Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : "?";
      return `| ${r.shape} | ${r.answer.replace(/\|/g, "\\|")} | ${peak} | ${growth} | ${block} | ${seconds} |`;
    }),
    "",
    `Goal: peak < ~${GOAL.peakMiB} MiB and no block over ${GOAL.blockMs} ms, whatever the request; figures over it are in bold.`,
  ].join("\n");
}

const SECTION = `## Worst case (\`npm run worst-case\`)

\`npm run worst-case\` (\`npx tsx scripts/worst-case.ts --write\`) sends the worst requests we
could build, one shape at a time, each to a fresh \`mock-packages --quiet --processing-delay 0\`
child process: \`resources\` fields that are cheap to send and dear to parse, a zip bomb, what
the journal keeps, JSON bodies the routes read whole, a 1 GiB upload, many uploads at once.
For each it resets the server's peak memory (\`/proc/<pid>/clear_refs\`), reads the peak
(VmHWM) a second after the answer, and times small requests sent one after another
throughout (\`GET /__mock/scenarios\` from a worker thread): the longest, less the median
before the shape began, is how long the event loop was blocked as a client sees it. The
goal (issue 10): no request, authenticated or not, takes the server's peak memory past about
400 MiB or blocks its event loop for more than 100 ms. \`died\` is a server that ended (its
peak is the last read before it did), \`frozen\` one that answered nothing in 90 s (killed
then); their figures, marked ≥, are what was seen until then.`;

function writeReport(text: string): void {
  const file = join(root, "BENCHMARKS.md");
  const doc = readFileSync(file, "utf8");
  const markers = /<!-- worst-case -->[\s\S]*<!-- \/worst-case -->/;
  const block = `<!-- worst-case -->\n${text}\n<!-- /worst-case -->`;
  const next = markers.test(doc) ? doc.replace(markers, () => block) : `${doc.trimEnd()}\n\n${SECTION}\n\n${block}\n`;
  writeFileSync(file, next);
}

async function main(): Promise<void> {
  if (process.platform !== "linux") throw new Error("worst-case reads /proc: Linux only");
  const built = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
  const shapes = SHAPES.filter((s) => !ONLY || s.name.toLowerCase().includes(ONLY));
  if (shapes.length === 0) throw new Error(`no shape's name contains '${ONLY}'`);
  const admin = await mintUserToken("admin");
  const started = now();
  const rows: Row[] = [];
  for (const shape of shapes) {
    console.error(`${shape.name} …`);
    const row = await measure(shape, admin).catch((e: Error): Row => ({
      shape: shape.name,
      answer: `not measured: ${e.message.split("\n")[0]}`,
      idleMiB: NaN,
      peakMiB: NaN,
      died: false,
      cutShort: false,
      blockMs: NaN,
      seconds: NaN,
    }));
    console.error(
      `  ${row.answer}; peak ${row.peakMiB.toFixed(0)} MiB (+${(row.peakMiB - row.idleMiB).toFixed(0)}), block ${row.blockMs.toFixed(0)} ms, ${row.seconds.toFixed(1)} s`,
    );
    rows.push(row);
  }
  const text = report(rows, (now() - started) / 1000);
  console.log(text);
  if (process.argv.includes("--write")) {
    if (ONLY) console.error("Not written to BENCHMARKS.md: WORST_CASE_ONLY ran only some of the shapes.");
    else writeReport(text);
  }
}

await main();
