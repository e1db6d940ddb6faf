/**
 * The browser path, proven in a real browser: headless Chromium loads the page
 * (src/main.ts, bundled with esbuild), which registers the msw worker with the
 * mock-packages handlers and uploads a zip with fetch and FormData.
 * Needs Debian's chromium (the project's `.ci/run` installs it).
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const here = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
let server: Server;
let browser: Browser;
let url: string;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  const bundle = await build({
    entryPoints: [join(here, "src/main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const files: Record<string, { type: string; body: string | Buffer }> = {
    "/": {
      type: "text/html",
      body: readFileSync(join(here, "index.html")),
    },
    "/app.js": { type: "text/javascript", body: Buffer.from(bundle.outputFiles[0]!.contents) },
    "/mockServiceWorker.js": {
      type: "text/javascript",
      body: readFileSync(join(dirname(require.resolve("msw/package.json")), "lib/mockServiceWorker.js")),
    },
  };
  server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) {
      res.writeHead(404).end("not served: the msw worker should have answered this request");
      return;
    }
    res.writeHead(200, { "content-type": file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // playwright gives each launch a fresh, empty profile of its own; this folder holds its downloads.
  profile = mkdtempSync(join(tmpdir(), "mock-packages-chromium-"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    downloadsPath: profile,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

it("uploads a zip from a page through the msw worker: 200, READY, the download's sha256, then 400", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, {
    timeout: 30_000,
  });
  const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as Record<string, any>;
  expect(errors).toEqual([]);
  expect(result.error).toBeUndefined();
  expect(result.uploadStatus).toBe(200);
  expect(result.uploadState).toBe("PROCESSING_UPLOAD");
  expect(result.selfLink).toMatch(new RegExp(`^${url}v3/packages/`));
  expect(result.state).toBe("READY");
  expect(result.checksum).toMatch(/^[0-9a-f]{64}$/);
  expect(result.downloadSha256).toBe(result.checksum);
  expect(result.secondUpload).toEqual({
    status: 400,
    body: {
      errors: [
        {
          detail: "Bits may be uploaded only once. Create a new package to upload different bits.",
          title: "CF-PackageBitsAlreadyUploaded",
          code: 150004,
        },
      ],
    },
  });
  expect(result.journal[0]).toEqual({ status: 200, fields: ["resources", "bits"], entries: ["index.html", "app.js"] });
}, 60_000);
