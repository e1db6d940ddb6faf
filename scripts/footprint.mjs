#!/usr/bin/env node
/**
 * `npm run footprint`: what importing mock-packages costs.
 *
 *   (1) the time to `import "mock-packages"` in a fresh plain Node process, from dist/
 *       (median of FOOTPRINT_RUNS runs, default 15)
 *   (2) the size of an esbuild-minified browser bundle of `mock-packages` plus
 *       `mock-packages/msw`, msw external: as one file, and with code splitting (the
 *       chunks a browser loads up front, and those it loads only when needed)
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
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.FOOTPRINT_RUNS ?? 15);

function importTimes() {
  const probe = `const t = performance.now(); await import(${JSON.stringify(join(root, "dist/src/index.js"))}); console.log(performance.now() - t);`;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the import failed (run npm run build first):\n${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return { min: times[0], median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
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
const times = importTimes();
const sizes = await bundleSizes();
const sum = (list) => list.reduce((n, c) => n + c.size, 0);
const report = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`,
  "",
  `**Import** of \`mock-packages\` in a fresh Node process (dist/, ${RUNS} runs): median **${times.median.toFixed(0)} ms** (min ${times.min.toFixed(0)}, max ${times.max.toFixed(0)}).`,
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
