/**
 * Base paths (issue 13, item 5): the API served under `/api/cf`, through msw (`baseUrl`) and over
 * HTTP (`--base-path`, `serve({ basePath })`). The same table runs on both: every link, `Location`,
 * root document, UAA link and `iss`, signed blob URL and pagination link carries the prefix, unknown
 * routes under it answer 404 CF-NotFound alike, and every answer is checked against spec/openapi.yaml.
 */
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { createSimulator, type Simulator } from "../src/index.js";
import { createHandlers } from "../src/msw/index.js";
import { createFileStore, serve } from "../src/node/index.js";
import { theContract, tokenFor } from "./support/client.js";
import { callMounted, hrefsOf, type MountedInit } from "./support/mounted.js";
import { packageGuid } from "./support/world.js";
import { decodeJwt } from "./support/cf-cli.js";
import { runCli, startCli } from "./support/cli.js";

interface Target {
  sim: Simulator;
  /** Where the API is: origin and base path. */
  base: string;
  close(): Promise<void>;
}

const MSW_BASE = "http://localhost:5173/api/cf";

async function viaMsw(): Promise<Target> {
  const sim = createSimulator({ processingDelay: 0, logger: () => {} });
  await sim.ready;
  const server = setupServer(...createHandlers(sim, { baseUrl: `${MSW_BASE}/` }));
  server.listen({ onUnhandledRequest: "error" });
  return {
    sim,
    base: MSW_BASE,
    close: async () => {
      server.close();
      await sim.close();
    },
  };
}

async function viaHttp(): Promise<Target> {
  const store = createFileStore();
  const sim = createSimulator({ processingDelay: 0, logger: () => {}, store });
  await sim.ready;
  const running = await serve({ simulator: sim, port: 0, basePath: "api/cf/" });
  return {
    sim,
    base: running.url,
    close: async () => {
      await running.close();
      await sim.close();
      store.dispose();
    },
  };
}

beforeAll(async () => {
  await theContract();
}, 60_000);

describe.each([
  ["msw (baseUrl)", viaMsw],
  ["HTTP (basePath)", viaHttp],
] as const)("the API under /api/cf through %s", (_name, start) => {
  let t: Target;
  let token: string;
  const call = (path: string, init: MountedInit = {}) => callMounted(t.base, path, { token, ...init });
  beforeAll(async () => {
    t = await start();
    token = await tokenFor("space-developer");
  });
  afterAll(() => t.close());

  it("says where it is: the base URL ends in /api/cf", () => {
    expect(t.base).toMatch(/\/api\/cf$/);
  });

  it("the root documents link under the prefix: GET /api/cf/ and /api/cf/v3", async () => {
    const root = await call("/", { token: undefined });
    expect(root.status).toBe(200);
    expect(root.json.links.self.href).toBe(t.base);
    expect(root.json.links.cloud_controller_v3.href).toBe(`${t.base}/v3`);
    expect(root.json.links.login.href).toBe(t.base);
    const bare = await call("", { token: undefined });
    expect(bare.json).toEqual(root.json);
    const v3 = await call("/v3", { token: undefined });
    expect(v3.status).toBe(200);
    for (const href of hrefsOf(v3.json)) expect(href.startsWith(`${t.base}/v3`), href).toBe(true);
  });

  it("lists page with links under the prefix", async () => {
    const page = await call("/v3/packages?per_page=1");
    expect(page.status).toBe(200);
    expect(page.json.pagination.next.href).toMatch(new RegExp(`^${t.base}/v3/packages\\?`));
    const hrefs = hrefsOf(page.json);
    expect(hrefs.length).toBeGreaterThan(4);
    for (const href of hrefs) expect(href.startsWith(`${t.base}/v3/`), href).toBe(true);
    const next = await call(page.json.pagination.next.href);
    expect(next.status).toBe(200);
  });

  it("an upload's job Location, the download's signed blob URL and the blob itself, all under the prefix", async () => {
    const guid = packageGuid(t.sim, "web-app", "AWAITING_UPLOAD");
    t.sim.useScenario("async-upload");
    const { body, contentType } = buildCfUploadBody({ bits: await buildAppZip({ "index.html": "<h1>hi</h1>" }) });
    const upload = await call(`/v3/packages/${guid}/upload`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    expect(upload.status, upload.text).toBe(202);
    expect(upload.headers.get("location")).toMatch(new RegExp(`^${t.base}/v3/jobs/`));
    await t.sim.idle();
    const job = await call(upload.headers.get("location")!);
    expect(job.json.state).toBe("COMPLETE");
    for (const href of hrefsOf(job.json)) expect(href.startsWith(`${t.base}/v3/`), href).toBe(true);
    const pkg = await call(`/v3/packages/${guid}`);
    expect(pkg.json.state).toBe("READY");
    for (const href of hrefsOf(pkg.json)) expect(href.startsWith(`${t.base}/v3/`), href).toBe(true);
    const download = await call(`/v3/packages/${guid}/download`);
    expect(download.status).toBe(302);
    const blobUrl = download.headers.get("location")!;
    expect(blobUrl).toMatch(new RegExp(`^${t.base}/blobstore/packages/${guid}\\?expires=`));
    const blob = await call(blobUrl, { token: undefined });
    expect(blob.status).toBe(200);
    t.sim.useScenario("cloud-controller");
  });

  it("UAA under the prefix: /login links there, and /oauth/token's tokens name it as their issuer", async () => {
    const login = await call("/login", { token: undefined });
    expect(login.json.links.login).toBe(t.base);
    const grant = await call("/oauth/token", {
      token: undefined,
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: "Basic Y2Y6",
        accept: "application/json",
      },
      body: "grant_type=password&username=space-developer&password=password",
    });
    expect(grant.status, grant.text).toBe(200);
    expect(decodeJwt(grant.json.access_token).iss).toBe(`${t.base}/oauth/token`);
    const apps = await call("/v3/apps", { token: grant.json.access_token });
    expect(apps.status).toBe(200);
  });

  it("unknown routes under the prefix: 404 CF-NotFound, the same through both", async () => {
    for (const path of ["/v2/info", "/v3/nothing-here", "/anything/else"]) {
      const answer = await call(path, { unchecked: true });
      expect(answer.status, path).toBe(404);
      expect(answer.json.errors[0]).toMatchObject({ title: "CF-NotFound", code: 10000, detail: "Unknown request" });
      expect(answer.headers.get("x-vcap-request-id")).toBeTruthy();
    }
  });

  it("the admin API lives under the prefix, and the journal keeps paths as the API sees them", async () => {
    t.sim.journal.clear();
    await call("/v3/info");
    const journal = await call("/__mock/journal", { token: undefined });
    expect(journal.status).toBe(200);
    expect(journal.json.entries.map((e: { path: string }) => e.path)).toEqual(["/v3/info"]);
    const scenario = await call("/__mock/scenario", {
      token: undefined,
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "rate-limited" }),
    });
    expect(scenario.status).toBe(200);
    expect(t.sim.scenario.name).toBe("rate-limited");
    expect((await call("/__mock/reset", { token: undefined, method: "POST" })).status).toBe(204);
    expect(t.sim.scenario.name).toBe("cloud-controller");
  });
});

describe("over HTTP, a request outside the prefix", () => {
  it("answers 404 CF-NotFound saying the API is served under the prefix, and changes nothing", async () => {
    const store = createFileStore();
    const sim = createSimulator({ processingDelay: 0, logger: () => {}, store });
    const running = await serve({ simulator: sim, port: 0, basePath: "/api/cf" });
    try {
      const origin = new URL(running.url).origin;
      for (const path of ["/v3/packages", "/", "/api/cfx/v3", "/__mock/reset"]) {
        const response = await fetch(`${origin}${path}`, { method: path === "/__mock/reset" ? "POST" : "GET" });
        expect(response.status, path).toBe(404);
        const body = await response.json();
        expect(body.errors[0].title).toBe("CF-NotFound");
        expect(body.errors[0].detail).toContain("this server serves the API under /api/cf");
        expect(body.errors[0].detail).toContain(`/api/cf${path}`);
      }
    } finally {
      await running.close();
      await sim.close();
      store.dispose();
    }
  });

  it("a bad base path is refused with what was expected", async () => {
    const sim = createSimulator({ logger: () => {} });
    await expect(serve({ simulator: sim, port: 0, basePath: "/api/../x" })).rejects.toThrow(
      /must be a path such as \/api\/cf/,
    );
    expect(() => createHandlers(sim, { baseUrl: "/api/cf" })).toThrow(/must be an absolute URL/);
    await sim.close();
  });
});

describe("the command", () => {
  it("--base-path (here from MOCK_PACKAGES_BASE_PATH) serves the API under it and prints that URL", async () => {
    const cli = await startCli(["--quiet"], 20_000, { MOCK_PACKAGES_BASE_PATH: "/api/cf" });
    try {
      expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/cf$/);
      expect(cli.output()).toContain(`cf api ${cli.url}`);
      const root = await callMounted(cli.url, "/v3");
      expect(root.json.links.self.href).toBe(`${cli.url}/v3`);
    } finally {
      await cli.stop();
    }
  });

  it("a bad --base-path is a usage error, exit 2", async () => {
    const r = await runCli(["--base-path", "/a?b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--base-path must be a path such as /api/cf");
  });
});
