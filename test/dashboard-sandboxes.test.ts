/**
 * The dashboard's Sandboxes view (issue 15) and the tokens it mints in a sandbox. In process:
 * `POST /sandboxes/ID/__mock/tokens` (what the Tokens and Upload views call when the page shows a
 * sandbox) mints a token with the sandbox's `mock_sandbox` claim. In headless Chromium against the
 * real command: a sandbox created from the page, the whole page switched to it (remembered across
 * a reload), uploads into it from Node with the page's token and from the Upload view reaching
 * READY while the default sandbox's world and journal stay as they were, the way back, and the
 * page's message when the sandbox it shows is deleted (from outside, or from the page); axe-core
 * on the view at 1280 and 390 px, screenshots in test-artifacts/dashboard/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { createSimulator } from "../src/index.js";
import { startCli, type RunningCli } from "./support/cli.js";
import { theContract } from "./support/client.js";
import { callMounted, type MountedAnswer } from "./support/mounted.js";

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/dashboard/", import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const JSON_TYPE = { "content-type": "application/json" };

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

describe("tokens minted through a sandbox's admin API", () => {
  it("carry the sandbox's claim and reach it from the plain URL; the default's carry none", async () => {
    await theContract();
    const sim = createSimulator({ processingDelay: 0, logger: () => {} });
    try {
      await sim.sandboxes.create({ id: "alice" });
      const send = (request: Request) => sim.handle(request);
      const mint = (base: string, headers: Record<string, string> = {}) =>
        callMounted(
          base,
          "/__mock/tokens",
          {
            method: "POST",
            headers: { ...JSON_TYPE, ...headers },
            body: JSON.stringify({ user: "space-developer" }),
          },
          send,
        );
      const origin = sim.options.origin;
      const byPrefix = await mint(`${origin}/sandboxes/alice`);
      const byHeader = await mint(origin, { "x-mock-sandbox": "alice" });
      const plain = await mint(origin);
      expect([byPrefix.status, byHeader.status, plain.status]).toEqual([200, 200, 200]);
      expect(claimsOf(byPrefix.json.token).mock_sandbox).toBe("alice");
      expect(claimsOf(byHeader.json.token).mock_sandbox).toBe("alice");
      expect(claimsOf(plain.json.token)).not.toHaveProperty("mock_sandbox");
      // The claim alone routes: no prefix, no header, and the request lands in alice's journal.
      const listed = await callMounted(origin, "/v3/packages", { token: byPrefix.json.token }, send);
      expect(listed.status).toBe(200);
      const alice = sim.sandboxes.get("alice")!.simulator;
      expect(alice.journal.entries().map((e) => e.path)).toContain("/v3/packages");
      expect(sim.journal.entries().map((e) => e.path)).not.toContain("/v3/packages");
    } finally {
      await sim.close();
    }
  }, 60_000);
});

let cli: RunningCli;
let browser: Browser;
let page: Page;
/** Every request the page sent, as `METHOD /path`. */
const sent: string[] = [];

const admin = (path: string, init: RequestInit = {}): Promise<MountedAnswer> =>
  callMounted(cli.url, `/__mock${path}`, init);
/** The admin API of a sandbox, through its prefix. */
const inSandbox = (id: string, path: string, init: RequestInit = {}): Promise<MountedAnswer> =>
  callMounted(`${cli.url}/sandboxes/${id}`, `/__mock${path}`, init);

/** A new AWAITING_UPLOAD package of web-app, created with the token (its claim picks the sandbox). */
async function newPackage(token: string, app: string): Promise<string> {
  const created = await callMounted(cli.url, "/v3/packages", {
    method: "POST",
    token,
    headers: JSON_TYPE,
    body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } }),
  });
  expect(created.status, created.text).toBe(201);
  return created.json.guid;
}

/** What a sandbox holds, to compare before and after: its world and its journal's requests. */
async function snapshot(id: string | null) {
  const get = (path: string) => (id === null ? admin(path) : inSandbox(id, path));
  const world = (await get("/world")).json;
  const journal = (await get("/journal?summary=true")).json;
  // A READY package's download link is signed afresh on each read: its expiry and signature differ.
  const orgs = JSON.stringify(world.orgs).replace(/\?expires=\d+&signature=\w+/g, "");
  return { world: orgs, requests: journal.entries.map((e: any) => `${e.method} ${e.path}`) };
}

async function openTab(name: string): Promise<void> {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#tab-${name}[aria-selected="true"]`);
}

async function showing(id: string): Promise<void> {
  await page.waitForSelector(`[data-testid="sandbox-now"] strong:text-is("${id}")`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [cli, browser] = await Promise.all([
    startCli(["--quiet", "--processing-delay", "100"]),
    launchChromium(),
    theContract(),
  ]);
  // The page's CSP allows scripts of its own origin only: axe-core is injected around it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page = await context.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith("http")) sent.push(`${r.method()} ${url.pathname}`);
  });
  await page.goto(`${cli.url}/__mock/ui/#sandboxes`);
  await page.waitForSelector("table.sandboxes");
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cli?.stop();
});

describe("the dashboard's Sandboxes view", () => {
  let defaultBefore: Awaited<ReturnType<typeof snapshot>>;

  it("starts with the default sandbox only, and creates one from the page", async () => {
    defaultBefore = await snapshot(null);
    await showing("default");
    await expect(page.locator("#panel .empty").innerText()).resolves.toContain("No sandboxes yet");
    await page.fill('input[name="sandbox-id"]', "alice");
    await page.click('button:has-text("Create sandbox")');
    await page.waitForSelector('tr[data-sandbox="alice"]');
    await expect(page.locator(".message").innerText()).resolves.toContain("Created sandbox 'alice'");
    expect((await admin("/sandboxes/alice")).status).toBe(200);
  });

  it("switches the whole page to it, and a reload keeps it", async () => {
    await page.click('tr[data-sandbox="alice"] button:has-text("Show alice")');
    await showing("alice");
    expect(new URL(page.url()).hash).toBe("#sandboxes&sandbox=alice");
    await expect(page.locator('[data-testid="sandbox-reach"]').innerText()).resolves.toContain(
      `${cli.url}/sandboxes/alice`,
    );
    await page.reload();
    await showing("alice");
    await openTab("world");
    await page.waitForSelector("[data-state]");
    expect(new URL(page.url()).hash).toBe("#world&sandbox=alice");
    await expect(page.title()).resolves.toContain("sandbox alice");
  });

  it("uploads into it with the page's token (from Node) and from the Upload view: READY there, the default unchanged", async () => {
    await openTab("tokens");
    await page.click('button:has-text("Mint token")');
    const token = await page.inputValue("#token-output");
    expect(claimsOf(token).mock_sandbox).toBe("alice");
    expect(await page.inputValue("#curl-output")).toContain(`${cli.url}/sandboxes/alice/v3/packages`);

    const world = (await inSandbox("alice", "/world")).json;
    const webApp = world.orgs[0].spaces[0].apps.find((a: any) => a.name === "web-app").guid;
    // The token alone reaches alice: no prefix on these URLs.
    const [fromNode, fromPage] = [await newPackage(token, webApp), await newPackage(token, webApp)];
    await openTab("world");
    await page.waitForSelector(`tr[data-package="${fromNode}"] [data-state="AWAITING_UPLOAD"]`);
    const form = new FormData();
    form.append("resources", "[]");
    form.append("bits", new Blob([await buildAppZip({ "index.html": "<h1>alice</h1>" })]), "app.zip");
    const uploaded = await callMounted(cli.url, `/v3/packages/${fromNode}/upload`, {
      method: "POST",
      token,
      body: form,
    });
    expect(uploaded.status, uploaded.text).toBe(200);
    await page.waitForSelector(`tr[data-package="${fromNode}"] [data-state="READY"]`);

    await openTab("upload");
    await page.selectOption("#upload-package", fromPage);
    await page.click('button:has-text("Send upload")');
    await page.waitForSelector('.watch [data-state="READY"]');
    expect(sent).toContain(`POST /sandboxes/alice/v3/packages/${fromPage}/upload`);

    const alice = await snapshot("alice");
    expect(alice.requests).toEqual(
      expect.arrayContaining([`POST /v3/packages/${fromNode}/upload`, `POST /v3/packages/${fromPage}/upload`]),
    );
    expect(await snapshot(null)).toEqual(defaultBefore);
  });

  it("goes back to the default sandbox, which shows none of it", async () => {
    await openTab("sandboxes");
    await page.click('tr[data-sandbox="default"] button:has-text("Show default")');
    await showing("default");
    expect(new URL(page.url()).hash).toBe("#sandboxes");
    await openTab("requests");
    await page.waitForSelector("#panel :is(table, .empty)");
    await expect(page.locator("#panel").innerText()).resolves.not.toContain("/upload");
    await openTab("world");
    await page.waitForSelector("[data-state]");
    expect(await page.locator('[data-state="READY"]').count()).toBe(
      (JSON.parse(defaultBefore.world) as any[]).flatMap((o) =>
        o.spaces.flatMap((s: any) => s.apps.flatMap((a: any) => a.packages.filter((p: any) => p.state === "READY"))),
      ).length,
    );
  });

  it("has no serious or critical axe-core violation at 1280 and 390 px; screenshots", async () => {
    await page.goto(`${cli.url}/__mock/ui/#sandboxes&sandbox=alice`);
    await showing("alice");
    await page.waitForSelector('tr[data-sandbox="alice"].selected');
    await page.addScriptTag({ content: AXE });
    const problems: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `at ${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${ARTIFACTS}sandboxes-${width}.png`, fullPage: true });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: any[] }> } }).axe;
        return (await axe.run()).violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
      });
      problems.push(...violations.map((v) => `@${width}: ${v}`));
    }
    expect(problems).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("says so when the sandbox it shows is deleted from outside, and offers the way back", async () => {
    await showing("alice");
    expect((await admin("/sandboxes/alice", { method: "DELETE" })).status).toBe(204);
    const gone = page.locator('[data-testid="sandbox-gone"]');
    await gone.waitFor();
    await expect(gone.innerText()).resolves.toContain("Sandbox 'alice' no longer exists");
    await gone.getByRole("button", { name: "Back to the default sandbox" }).click();
    await showing("default");
    await gone.waitFor({ state: "detached" });
    expect(new URL(page.url()).hash).toBe("#sandboxes");
  });

  it("creates one with a seed and a scenario, and deletes it from the page while showing it", async () => {
    await page.fill('input[name="sandbox-id"]', "bob");
    await page.fill('input[name="sandbox-seed"]', "7");
    await page.selectOption('select[name="sandbox-scenario"]', "rate-limited");
    await page.click('button:has-text("Create sandbox")');
    const row = page.locator('tr[data-sandbox="bob"]');
    await row.waitFor();
    await expect(row.innerText()).resolves.toMatch(/bob[\s\S]*7[\s\S]*rate-limited/);
    await row.getByRole("button", { name: "Show bob" }).click();
    await showing("bob");
    await row.getByRole("button", { name: "Delete" }).click();
    await page.locator('[data-testid="sandbox-gone"]').waitFor();
    expect((await admin("/sandboxes/bob")).status).toBe(404);
    expect((await admin("/sandboxes")).json.sandboxes).toEqual([]);
  });

  it("says the same of an address naming a sandbox that does not exist", async () => {
    await page.goto(`${cli.url}/__mock/ui/#world&sandbox=ghost`);
    await page.reload();
    await showing("ghost");
    await expect(page.locator('[data-testid="sandbox-gone"]').innerText()).resolves.toContain(
      "Sandbox 'ghost' no longer exists",
    );
    expect(await page.locator('[role="alert"]').count()).toBe(1);
  });

  it("sent requests only to the admin APIs (the server's and the sandboxes') and the one upload", () => {
    const others = sent.filter((line) => !/^(GET|HEAD|PUT|POST|DELETE) (\/sandboxes\/[\w-]+)?\/__mock\//.test(line));
    expect(others).toEqual([expect.stringMatching(/^POST \/sandboxes\/alice\/v3\/packages\/[\w-]+\/upload$/)]);
    expect(sent).toContain("GET /sandboxes/alice/__mock/events");
  });
});
