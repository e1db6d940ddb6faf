/**
 * The msw handlers in Node (setupServer): the same simulator, state and
 * scenarios behind msw, as a team uses them in its own tests.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { createSimulator, type Simulator } from "../src/index.js";
import { createHandlers } from "../src/msw/index.js";
import { expectUpload } from "../src/testing/index.js";
import { expectContract, theContract, tokenFor } from "./support/client.js";
import { packageGuid } from "./support/world.js";

const ONE = "https://cf-one.example";
const TWO = "https://cf-two.example";
let one: Simulator;
let two: Simulator;
let token: string;
const server = setupServer();

beforeAll(async () => {
  // Load the document before any test, so that the first test does not spend its 5 s loading it.
  await theContract();
  one = createSimulator({ processingDelay: 0, logger: () => {} });
  two = createSimulator({ processingDelay: 0, logger: () => {}, seed: 99 });
  await Promise.all([one.ready, two.ready]);
  server.use(...createHandlers(one, { origin: ONE }), ...createHandlers(two, { origin: TWO }));
  server.listen({ onUnhandledRequest: "error" });
  token = await tokenFor("space-developer");
});
afterEach(async () => {
  await Promise.all([one.reset(), two.reset()]);
});
afterAll(async () => {
  server.close();
  await Promise.all([one.close(), two.close()]);
});

async function call(origin: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${origin}${path}`, {
    ...init,
    headers: { authorization: `bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  const answer = {
    status: res.status,
    headers: res.headers,
    text,
    bytes: new TextEncoder().encode(text),
    json: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined,
  };
  await expectContract(init.method ?? "GET", new URL(`${origin}${path}`).pathname, answer);
  return answer;
}

async function uploadForm() {
  const form = new FormData();
  form.set("resources", "[]");
  form.set(
    "bits",
    new File([await buildAppZip({ "index.js": "console.log(1)" })], "package.zip", {
      type: "application/octet-stream",
    }),
  );
  return form;
}

describe("msw handlers", () => {
  it("run on the msw and Node this run asks for (msw 2 on Node 20, or msw 3 on Node 24)", async () => {
    const { createRequire } = await import("node:module");
    const http = (await import("msw")).http;
    expect(typeof http.all).toBe("function");
    const mswMajor = Number(
      JSON.parse(
        (await import("node:fs")).readFileSync(
          createRequire(import.meta.url).resolve(
            process.env.EXPECT_MSW_MAJOR === "3" ? "./msw3/node_modules/msw/package.json" : "msw/package.json",
          ),
          "utf8",
        ),
      ).version.split(".")[0],
    );
    expect(mswMajor).toBe(Number(process.env.EXPECT_MSW_MAJOR ?? "2"));
    // The msw 3 run must be on Node 24; the ordinary run is on whatever Node the project runs (20, 22 or 24).
    if (process.env.EXPECT_NODE_MAJOR) {
      expect(Number(process.versions.node.split(".")[0])).toBe(Number(process.env.EXPECT_NODE_MAJOR));
    }
  });

  it("serve the simulator at the given origin, with links built from it", async () => {
    const r = await call(ONE, `/v3/packages/${packageGuid(one, "web-app", "READY")}`);
    expect(r.status).toBe(200);
    expect(r.json.links.self.href).toMatch(new RegExp(`^${ONE}/v3/packages/`));
  });

  it("answer unknown routes of the CF API (/v2, /v3) with 404 CF-NotFound, as the HTTP server does", async () => {
    for (const path of ["/v2/info", "/v2", "/v3/no_such_resource"]) {
      const r = await fetch(`${ONE}${path}`);
      expect([path, r.status]).toEqual([path, 404]);
      expect((await r.json()).errors[0]).toMatchObject({ title: "CF-NotFound", code: 10000 });
    }
  });

  it("leave other origins alone", async () => {
    await expect(fetch("https://elsewhere.example/v3/packages")).rejects.toThrow();
  });

  it("upload a FormData body with a File part end to end: 200, READY, download equals the checksum", async () => {
    const guid = packageGuid(one, "web-app", "AWAITING_UPLOAD");
    const up = await call(ONE, `/v3/packages/${guid}/upload`, { method: "POST", body: await uploadForm() });
    expect(up.status).toBe(200);
    await one.idle();
    const pkg = await call(ONE, `/v3/packages/${guid}`);
    expect(pkg.json.state).toBe("READY");
    const zip = new Uint8Array(
      await (
        await fetch(`${ONE}/v3/packages/${guid}/download`, { headers: { authorization: `bearer ${token}` } })
      ).arrayBuffer(),
    );
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", zip)).toString("hex");
    expect(pkg.json.data.checksum.value).toBe(digest);
    expectUpload(one, { packageGuid: guid, zipPaths: ["index.js"], fieldOrder: ["resources", "bits"] });
  });

  it("keep simulators apart: different worlds, and an upload to one leaves the other untouched", async () => {
    const guidOne = packageGuid(one, "web-app", "AWAITING_UPLOAD");
    expect(packageGuid(two, "web-app", "AWAITING_UPLOAD")).not.toBe(guidOne);
    await call(ONE, `/v3/packages/${guidOne}/upload`, { method: "POST", body: await uploadForm() });
    expect((await call(TWO, `/v3/packages/${guidOne}`)).status).toBe(404);
    expect(two.journal.entries().map((e) => e.path)).toEqual([`/v3/packages/${guidOne}`]);
  });

  it("switch scenarios for one test, and reset restores the default", async () => {
    one.useScenario("rate-limited");
    const guid = packageGuid(one, "web-app", "AWAITING_UPLOAD");
    const limited = await call(ONE, `/v3/packages/${guid}/upload`, { method: "POST", body: await uploadForm() });
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({
      errors: [{ detail: "Rate Limit Exceeded", title: "CF-RateLimitExceeded", code: 10013 }],
    });
    await one.reset();
    expect(one.scenario.name).toBe("cloud-controller");
    expect((await call(ONE, `/v3/packages/${guid}/upload`, { method: "POST", body: await uploadForm() })).status).toBe(
      200,
    );
  });

  it("take the Prefer header per request: respond-async gives the 202 and a job", async () => {
    const guid = packageGuid(one, "web-app", "AWAITING_UPLOAD");
    const r = await call(ONE, `/v3/packages/${guid}/upload`, {
      method: "POST",
      body: await uploadForm(),
      headers: { prefer: "respond-async" },
    });
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toMatch(new RegExp(`^${ONE}/v3/jobs/`));
    await one.idle();
    const job = await call(ONE, new URL(r.headers.get("location")!).pathname);
    expect(job.json).toMatchObject({ operation: "package.upload", state: "COMPLETE" });
  });

  it("map faults to msw: connection-reset makes fetch reject, timeout never answers", async () => {
    const guid = packageGuid(one, "web-app", "AWAITING_UPLOAD");
    one.useScenario("connection-reset");
    await expect(
      fetch(`${ONE}/v3/packages/${guid}/upload`, {
        method: "POST",
        body: await uploadForm(),
        headers: { authorization: `bearer ${token}` },
      }),
    ).rejects.toThrow(TypeError);
    one.useScenario("timeout");
    await expect(
      fetch(`${ONE}/v3/packages/${guid}/upload`, {
        method: "POST",
        body: await uploadForm(),
        headers: { authorization: `bearer ${token}` },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    one.useScenario("cloud-controller");
    expect((await call(ONE, `/v3/packages/${guid}`)).json.state).toBe("AWAITING_UPLOAD");
  });
});
