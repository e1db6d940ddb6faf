/**
 * The dashboard (`/__mock/ui/`) in headless Chromium against the real command: each view renders
 * (at 1280 and 390 px, with screenshots in test-artifacts/dashboard/, not committed), with no
 * serious or critical axe-core violation; uploads sent from Node (as curl would) show up live;
 * the page's scenario switch, package bindings and tokens work for the next upload; the HAR
 * download validates against the HAR 1.2 schema; the page talks only to the admin API and the
 * event stream (and, from the Upload view, to the package it creates and the upload it sends); with --no-admin the page
 * and the stream are 404. Needs Debian's chromium (`.ci/run` installs it) or CHROMIUM_PATH.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { harErrors } from "./support/har.js";
import { startCli, type RunningCli } from "./support/cli.js";

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/dashboard/", import.meta.url));
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let cli: RunningCli;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every request the page sent, as `METHOD /path`. */
const sent: string[] = [];
let webApp: string;

async function admin<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${cli.url}/__mock${path}`, init);
  expect(response.status, `${path}: ${response.status}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function tokenOf(user: string): Promise<string> {
  const body = JSON.stringify({ user });
  return (
    await admin<{ token: string }>("/tokens", { method: "POST", body, headers: { "content-type": "application/json" } })
  ).token;
}

/** A new AWAITING_UPLOAD package of web-app, as `cf create-package` makes one. */
async function newPackage(): Promise<string> {
  const response = await fetch(`${cli.url}/v3/packages`, {
    method: "POST",
    headers: { authorization: `bearer ${await tokenOf("space-developer")}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: webApp } } } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { guid: string }).guid;
}

/** An upload as curl -F resources='[]' -F bits=@app.zip sends it. */
async function upload(guid: string, token?: string): Promise<Response> {
  const form = new FormData();
  form.append("resources", "[]");
  const zip = await buildAppZip({ "index.html": "<h1>hello</h1>" });
  form.append("bits", new Blob([zip]), "app.zip");
  return fetch(`${cli.url}/v3/packages/${guid}/upload`, {
    method: "POST",
    headers: { authorization: `bearer ${token ?? (await tokenOf("space-developer"))}` },
    body: form,
  });
}

async function packageState(guid: string): Promise<string> {
  const response = await fetch(`${cli.url}/v3/packages/${guid}`, {
    headers: { authorization: `bearer ${await tokenOf("admin")}` },
  });
  return ((await response.json()) as { state: string }).state;
}

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openTab(name: string): Promise<void> {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#tab-${name}[aria-selected="true"]`);
}

async function seriousViolations(): Promise<string[]> {
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: any[] }> } }).axe;
    const { violations } = await axe.run();
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  cli = await startCli(["--quiet", "--processing-delay", "400"]);
  const world = await admin<any>("/world");
  webApp = world.orgs[0].spaces[0].apps.find((a: any) => a.name === "web-app").guid;
  browser = await launchChromium();
  // The page's CSP allows scripts of its own origin only: axe-core is injected around it.
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    bypassCSP: true,
    acceptDownloads: true,
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: cli.url });
  page = await context.newPage();
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith("http")) sent.push(`${r.method()} ${url.pathname}`);
  });
  await page.goto(`${cli.url}/__mock/ui/`);
  await page.waitForSelector("[data-state]");
  await page.addScriptTag({ content: AXE });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cli?.stop();
});

describe("the dashboard", () => {
  it("prints its URL in the banner, and renders the fixture world", async () => {
    expect(cli.output()).toContain(`Dashboard: ${cli.url}/__mock/ui/`);
    expect(cli.output()).toContain(
      `Sandboxes: POST ${cli.url}/__mock/sandboxes (at most 64, deleted after 1800 s idle)`,
    );
    await expect(page.locator("h2", { hasText: "org mock-org" }).count()).resolves.toBe(1);
    await expect(page.locator('[data-state="READY"]').count()).resolves.toBeGreaterThan(0);
    const marks = await page.evaluate(() => performance.getEntriesByType("mark").map((m) => m.name));
    expect(marks).toEqual(expect.arrayContaining(["dashboard-shell", "dashboard-ready"]));
  });

  it("shows an upload sent from outside in Requests, and its badge moving to READY without a reload", async () => {
    await openTab("world");
    await page.evaluate(() => ((window as any).__sameDocument = true));
    const guid = await newPackage();
    const row = `tr[data-package="${guid}"]`;
    await page.waitForSelector(`${row} [data-state="AWAITING_UPLOAD"]`);
    expect((await upload(guid)).status).toBe(200);
    await page.waitForSelector(`${row} [data-state="PROCESSING_UPLOAD"]`);
    await page.waitForSelector(`${row} [data-state="READY"]`);
    expect(await page.locator(`${row} a[download]`).count()).toBe(1);
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

    await openTab("requests");
    const uploadRow = page.locator("table.requests tbody tr", { hasText: `/v3/packages/${guid}/upload` });
    await uploadRow.waitFor();
    await uploadRow.getByRole("button").click();
    const detail = page.locator("#request-detail");
    await detail.waitFor();
    const text = await detail.innerText();
    expect(text).toContain("authorization: bearer [redacted]");
    expect(text).toContain("resources, bits");
    expect(text).toContain("index.html");
    expect(text).toContain("Answer: 200");
    expect(text).toContain('"state": "PROCESSING_UPLOAD"');
    await page.fill('input[name="status"]', "5");
    expect(await uploadRow.count()).toBe(0);
    await page.fill('input[name="status"]', "");
    await page.check('input[name="uploads"]');
    expect(await page.locator("table.requests tbody tr").count()).toBe(1);
    await page.uncheck('input[name="uploads"]');
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });
  });

  it("switches the global scenario from the page: the next upload answers accordingly", async () => {
    await openTab("scenarios");
    await page.selectOption("#global-select", "rate-limited");
    await page.click('button:has-text("Apply")');
    await page.waitForSelector('[data-testid="global-scenario"]:has-text("rate-limited")');
    await expect(page.locator(".message").innerText()).resolves.toContain("rate-limited");
    expect((await upload(await newPackage())).status).toBe(429);
    await page.selectOption("#global-select", "cloud-controller");
    await page.click('button:has-text("Apply")');
    await page.waitForSelector('[data-testid="global-scenario"]:has-text("cloud-controller")');
    expect((await admin<any>("/scenario")).scenario.name).toBe("cloud-controller");
  });

  it("binds a scenario to one package from its row: that package only", async () => {
    const [bound, other] = [await newPackage(), await newPackage()];
    await openTab("scenarios");
    const row = page.locator(`tr[data-package="${bound}"]`);
    await row.waitFor();
    await row.locator("select").selectOption("processing-fails");
    await row.getByRole("button", { name: "Bind" }).click();
    await row.locator("td", { hasText: "processing-fails" }).first().waitFor();
    expect((await admin<any>("/scenario")).packages[bound].name).toBe("processing-fails");
    expect((await upload(bound)).status).toBe(200);
    expect((await upload(other)).status).toBe(200);
    await until(
      async () => (await packageState(bound)) === "FAILED" && (await packageState(other)) === "READY",
      "FAILED and READY",
    );
    await row.getByRole("button", { name: "Remove" }).click();
    await until(async () => (await admin<any>("/scenario")).packages[bound] === undefined, "the binding to go");
  });

  it("mints a token for a user that uploads, with copy buttons for it and a curl command", async () => {
    await openTab("tokens");
    await page.selectOption("#token-user", "space-developer");
    await page.click('button:has-text("Mint token")');
    const token = await page.inputValue("#token-output");
    expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await page.inputValue("#curl-output")).toContain(`bearer ${token}`);
    await page.click('button:has-text("Copy token")');
    await expect(page.locator(".message").innerText()).resolves.toMatch(/Copied the token|clipboard/);
    expect((await upload(await newPackage(), token)).status).toBe(200);
  });

  it("downloads the journal as HAR 1.2 that validates, and serves the same at /__mock/journal.har", async () => {
    await openTab("requests");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('button:has-text("Download HAR")'),
    ]);
    const har = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(harErrors(har)).toEqual([]);
    expect(har.log.version).toBe("1.2");
    const uploads = har.log.entries.filter((e: any) => e.request.method === "POST" && /\/upload$/.test(e.request.url));
    expect(uploads.length).toBeGreaterThanOrEqual(4);
    expect(uploads[0].request.postData.params.map((p: any) => p.name)).toEqual(["resources", "bits"]);
    expect(uploads.map((e: any) => e.response.status)).toContain(429);
    const served = await admin<any>("/journal.har");
    expect(harErrors(served)).toEqual([]);
    expect(served.log.entries.length).toBe(har.log.entries.length);
  });

  it("renders every view at 1280 and 390 px with no serious or critical axe-core violation; screenshots", async () => {
    const problems: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const tab of ["world", "requests", "scenarios", "tokens", "upload"]) {
        await openTab(tab);
        await page.waitForSelector("#panel :is(table, form, .empty)");
        // Nothing wider than the window but the tables' own scrolling boxes.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${tab} at ${width} px`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${ARTIFACTS}${tab}-${width}.png` });
        problems.push(...(await seriousViolations()).map((v) => `${tab}@${width}: ${v}`));
      }
    }
    expect(problems).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("moves between views with the keyboard", async () => {
    await openTab("world");
    await page.focus("#tab-world");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector('#tab-requests[aria-selected="true"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-requests");
    await page.keyboard.press("End");
    await page.waitForSelector('#tab-sandboxes[aria-selected="true"]');
    await page.keyboard.press("ArrowLeft");
    await page.waitForSelector('#tab-upload[aria-selected="true"]');
  });

  it("has sent requests only to the admin API and the event stream so far", () => {
    const others = sent.filter((line) => !/^(GET|HEAD|PUT|POST|DELETE) \/__mock\//.test(line));
    expect(others).toEqual([]);
    expect(sent).toContain("GET /__mock/events");
  });

  it("uploads the sample app from the Upload view and watches it reach READY", async () => {
    const guid = await newPackage();
    await openTab("upload");
    const before = sent.length;
    await page.selectOption("#upload-package", guid);
    await page.check('input[name="order"][value="bits-first"]');
    await page.click('button:has-text("Send upload")');
    await page.waitForSelector('.watch [data-state="READY"]');
    const entry = (await admin<any>("/journal?uploads=true")).entries.at(-1);
    expect(entry.path).toBe(`/v3/packages/${guid}/upload`);
    expect(entry.multipart.parts.map((p: any) => p.name)).toEqual(["bits", "resources"]);
    expect(entry.multipart.bits.entries).toEqual(["index.html", "Staticfile", "css/site.css"]);
    // The one request outside the admin API is the upload the view sent on purpose.
    expect(sent.slice(before).filter((l) => !l.includes("/__mock/"))).toEqual([`POST /v3/packages/${guid}/upload`]);
  });

  it("creates a package for an app from the Upload view (POST /v3/packages, as a client would) and uploads to it", async () => {
    await openTab("upload");
    const before = sent.length;
    await page.selectOption("#create-app", webApp);
    await page.click('button:has-text("Create package")');
    await page.waitForSelector('.message:has-text("Created package")');
    const guid = await page.inputValue("#upload-package");
    const world = await admin<any>("/world");
    const app = world.orgs[0].spaces[0].apps.find((a: any) => a.guid === webApp);
    expect(app.packages.find((p: any) => p.guid === guid)?.state).toBe("AWAITING_UPLOAD");
    await page.click('button:has-text("Send upload")');
    await page.waitForSelector(`.watch:has-text("${guid.slice(0, 8)}") [data-state="READY"]`);
    const created = (await admin<any>("/journal?method=POST&path=/v3/packages")).entries.at(-1);
    expect(created.status).toBe(201);
    expect(sent.slice(before).filter((l) => !l.includes("/__mock/"))).toEqual([
      "POST /v3/packages",
      `POST /v3/packages/${guid}/upload`,
    ]);
  });
});

describe("with --no-admin", () => {
  it("answers 404 for the page and the event stream", async () => {
    const off = await startCli(["--quiet", "--no-admin"]);
    try {
      for (const path of ["/__mock/ui/", "/__mock/ui/app.js", "/__mock/events", "/__mock/journal.har"]) {
        const response = await fetch(`${off.url}${path}`);
        expect(response.status, path).toBe(404);
        expect(((await response.json()) as any).errors[0].title).toBe("CF-NotFound");
      }
      expect(off.output()).not.toContain("Dashboard:");
      expect(off.output()).not.toContain("Sandboxes:");
    } finally {
      await off.stop();
    }
  });
});
