/**
 * Sandboxes, measured (issue 14): how long creating one takes with the fixture world, the memory
 * an idle one holds, and whether memory and temp files return to their level after many are
 * created and deleted. Run with `node --expose-gc` for the memory figures:
 *
 *   node --expose-gc --import tsx scripts/sandbox-bench.ts
 *
 * Prints the figures (BENCHMARKS.md holds those of one run).
 */
import { readdirSync } from "node:fs";
import { createSimulator } from "../src/index.js";
import { createFileStore } from "../src/node/index.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc --import tsx scripts/sandbox-bench.ts");

function heapMb(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

// Every blob on disk (no small blob kept in memory), so that the temp files show what a sandbox leaves.
const store = createFileStore({ memoryThreshold: 0 });
const sim = createSimulator({ store, maxSandboxes: 1000, logger: () => {} });
await sim.ready;
const files = () => readdirSync(store.directory).length;

// The server's own seed: its fixture world was built when the server started, and is shared.
let t = performance.now();
await sim.sandboxes.create({ id: "first" });
const first = performance.now() - t;
await sim.sandboxes.delete("first");
// Another seed: the first sandbox of it builds that seed's fixture world; the rest share it.
t = performance.now();
await sim.sandboxes.create({ id: "other-seed", seed: 7 });
const otherSeed = performance.now() - t;
await sim.sandboxes.delete("other-seed");

const heap0 = heapMb();
const files0 = files();
const N = 200;
const times: number[] = [];
for (let i = 0; i < N; i++) {
  t = performance.now();
  await sim.sandboxes.create({ id: `s${i}` });
  times.push(performance.now() - t);
}
const heapFull = heapMb();
const filesFull = files();
for (let i = 0; i < N; i++) await sim.sandboxes.delete(`s${i}`);
const heapAfter = heapMb();
const filesAfter = files();

// Three rounds more of create-and-delete: the level must not creep.
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < N; i++) await sim.sandboxes.create({ id: `r${i}` });
  for (let i = 0; i < N; i++) await sim.sandboxes.delete(`r${i}`);
}
const heapRounds = heapMb();

console.log(`node ${process.version}, ${N} sandboxes of the fixture world (seed 4010), file store`);
console.log(`first sandbox of the server's seed (its fixture world shared): ${first.toFixed(1)} ms`);
console.log(`first sandbox of another seed (builds that fixture world): ${otherSeed.toFixed(1)} ms`);
console.log(
  `create: median ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`,
);
console.log(
  `heap: ${heap0.toFixed(1)} MiB before, ${heapFull.toFixed(1)} MiB with ${N}: ${(((heapFull - heap0) * 1024) / N).toFixed(0)} KiB per idle sandbox`,
);
console.log(
  `heap after deleting all: ${heapAfter.toFixed(1)} MiB; after 3 more rounds of ${N}: ${heapRounds.toFixed(1)} MiB`,
);
console.log(`temp files: ${files0} before, ${filesFull} with ${N}, ${filesAfter} after deleting`);
await sim.close();
store.dispose();
