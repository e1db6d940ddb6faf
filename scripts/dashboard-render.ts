/**
 * The dashboard's first render, measured (issue 15: "first render under 300 ms on this machine").
 * Starts the HTTP server (`serve()`, port 0) with the fixture world, opens `/__mock/ui/` in headless
 * Chromium and reads the page's own `performance` marks, relative to the navigation's start:
 *
 * - `dashboard-shell`: the page's frame is on screen (its script ran);
 * - `dashboard-ready`: the World view shows the fixture world (the first answer of the admin API).
 *
 * "cold" is a fresh browser context each time (no cache: every file is fetched), "warm" a reload
 * of an open page. Also prints the shipped size of `dist/ui/`. With `--write`, the figures go into
 * BENCHMARKS.md between `<!-- dashboard -->` and `<!-- /dashboard -->`.
 *
 *   npm run build && npx tsx scripts/dashboard-render.ts [--write] [--runs N]
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium.js";
import { createSimulator } from "../dist/src/index.js";
import { serve } from "../dist/src/node/index.js";

const runsFlag = process.argv.indexOf("--runs");
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 10;
const UI = new URL("../dist/ui/", import.meta.url);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const range = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

async function marks(page: Page): Promise<{ shell: number; ready: number }> {
  await page.waitForFunction(() => performance.getEntriesByName("dashboard-ready").length > 0, null, {
    timeout: 30_000,
  });
  return page.evaluate(() => ({
    shell: performance.getEntriesByName("dashboard-shell")[0]!.startTime,
    ready: performance.getEntriesByName("dashboard-ready")[0]!.startTime,
  }));
}

const sim = createSimulator({ logger: () => {} });
const running = await serve({ simulator: sim, port: 0 });
const browser = await launchChromium();
const page = `${running.url}/__mock/ui/`;
const cold = { shell: [] as number[], ready: [] as number[] };
const warm = { shell: [] as number[], ready: [] as number[] };
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await tab.goto(page);
    const first = await marks(tab);
    cold.shell.push(first.shell);
    cold.ready.push(first.ready);
    await tab.reload();
    const again = await marks(tab);
    warm.shell.push(again.shell);
    warm.ready.push(again.ready);
    await context.close();
  }
} finally {
  await browser.close();
  await running.close();
  await sim.close();
}

const files = readdirSync(UI).map((name) => {
  const bytes = readFileSync(new URL(name, UI));
  return { name, size: statSync(new URL(name, UI)).size, gzip: gzipSync(bytes).length };
});
const total = files.reduce((n, f) => n + f.size, 0);
const totalGzip = files.reduce((n, f) => n + f.gzip, 0);
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const lines = [
  `Node ${process.version}, Chromium headless, ${RUNS} loads each, load average ${loadavg()[0]!.toFixed(1)}; milliseconds from the navigation's start (median, range):`,
  "",
  "| load | page shell (`dashboard-shell`) | World view with the fixture world (`dashboard-ready`) |",
  "| --- | ---: | ---: |",
  `| cold (fresh context, nothing cached) | **${Math.round(median(cold.shell))}** (${range(cold.shell)}) | **${Math.round(median(cold.ready))}** (${range(cold.ready)}) |`,
  `| warm (reload) | **${Math.round(median(warm.shell))}** (${range(warm.shell)}) | **${Math.round(median(warm.ready))}** (${range(warm.ready)}) |`,
  "",
  `Shipped page (\`dist/ui/\`): ${files.map((f) => `\`${f.name}\` ${kib(f.size)}`).join(", ")}; ${kib(total)} in all, ${kib(totalGzip)} gzipped.`,
];
console.log(lines.join("\n"));

if (process.argv.includes("--write")) {
  const path = new URL("../BENCHMARKS.md", import.meta.url);
  const text = readFileSync(path, "utf8");
  const block = `<!-- dashboard -->\n${lines.join("\n")}\n<!-- /dashboard -->`;
  const next = /<!-- dashboard -->[\s\S]*?<!-- \/dashboard -->/.test(text)
    ? text.replace(/<!-- dashboard -->[\s\S]*?<!-- \/dashboard -->/, block)
    : `${text.trimEnd()}\n\n## Dashboard (\`npm run bench:dashboard\`)\n\n${block}\n`;
  writeFileSync(path, next);
  console.log("wrote BENCHMARKS.md");
}
