/**
 * Who may drive the admin API under /__mock/ (issue 10): pages on this machine and the
 * origins given with adminOrigins, never another site, never `null`; changes from a
 * browser page need JSON or the X-Mock-Packages header; the CF API keeps its open CORS.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator, type SimulatorOptions } from "../src/index.js";
import { sendJson } from "./support/api.js";
import { setup, type Adapter, type Answer, type Client } from "./support/client.js";
import { expectError } from "./support/errors.js";

let sim: Simulator;
let api: Client;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(options: SimulatorOptions = {}, adapter: Adapter = "in-process") {
  ({ sim, api, close } = await setup(options, adapter));
}

const FOREIGN = "https://evil.example";
const LOOPBACK = ["http://localhost:5173", "http://127.0.0.1:3000", "https://[::1]:8443", "http://localhost"];
/** Origins that only look like this machine's. */
const LOOK_ALIKES = ["http://localhost.evil.example", "http://127.0.0.1.nip.io:4010", "http://[::2]:80"];
const ADMIN_PATHS = ["/__mock/scenarios", "/__mock/scenario", "/__mock/journal", "/__mock/reset"];

/** A browser's preflight for a JSON PUT (any admin path: the answer depends on the origin only). */
function preflight(path: string, origin: string): Promise<Answer> {
  return api.call(path, {
    method: "OPTIONS",
    unchecked: true,
    headers: {
      origin,
      "access-control-request-method": "PUT",
      "access-control-request-headers": "content-type,x-mock-packages",
    },
  });
}

/** The 403 a page of an origin that may not use the admin API gets, with no CORS grant. */
function expectRefused(r: Answer, origin: string) {
  expect(r.status, r.text).toBe(403);
  expect(r.headers.get("access-control-allow-origin")).toBeNull();
  expect(r.json.errors[0]).toMatchObject({ title: "CF-NotAuthorized", code: 10003 });
  expect(r.json.errors[0].detail).toContain(`this request came from ${origin}`);
}

describe("a page of another origin (finding 7)", () => {
  it("gets no CORS grant for a preflight on any admin path", async () => {
    await start();
    for (const path of ADMIN_PATHS) {
      for (const origin of [FOREIGN, ...LOOK_ALIKES]) {
        const r = await preflight(path, origin);
        expect(r.status, `${path} from ${origin}`).toBe(403);
        expect(r.headers.get("access-control-allow-origin"), `${path} from ${origin}`).toBeNull();
        expect(r.headers.get("access-control-allow-methods")).toBeNull();
      }
    }
  });

  it("cannot read the journal or switch the scenario even when the browser sends the request anyway", async () => {
    await start();
    await api.call("/v3/packages", { user: "space-developer" });
    expectRefused(await api.call("/__mock/journal", { headers: { origin: FOREIGN } }), FOREIGN);
    const put = await sendJson(
      api,
      "/__mock/scenario",
      { name: "timeout" },
      { method: "PUT", headers: { origin: FOREIGN } },
    );
    expectRefused(put, FOREIGN);
    expect(put.json.errors[0].detail).toContain(`--admin-origin ${FOREIGN}`);
    expect(sim.scenario.name).toBe("cloud-controller");
    expect(sim.journal.entries()).toHaveLength(1);
  });

  it("changes nothing with a text/plain POST /__mock/reset, the request a form or a simple fetch sends", async () => {
    await start({}, "http");
    sim.useScenario("rate-limited");
    await api.call("/v3/packages", { user: "space-developer" });
    const r = await api.call("/__mock/reset", {
      method: "POST",
      headers: { origin: FOREIGN, "content-type": "text/plain" },
      body: "{}",
    });
    expectRefused(r, FOREIGN);
    expect(sim.scenario.name).toBe("rate-limited");
    expect(sim.journal.entries()).toHaveLength(1);
  });

  it("gets nothing as Origin: null (a file:// page, a sandboxed frame) on /__mock/, but is answered on the CF API", async () => {
    await start();
    const admin = await preflight("/__mock/scenario", "null");
    expect(admin.status).toBe(403);
    expect(admin.headers.get("access-control-allow-origin")).toBeNull();
    const read = await api.call("/__mock/scenario", { headers: { origin: "null" } });
    expectRefused(read, "null");
    expect(read.json.errors[0].detail).toContain("opaque origin");
    // The CF API reflects null: a page opened from a file may call it with a token of its own.
    const cf = await api.call("/v3/packages", {
      method: "OPTIONS",
      unchecked: true,
      headers: { origin: "null", "access-control-request-method": "GET" },
    });
    expect(cf.status).toBe(204);
    expect(cf.headers.get("access-control-allow-origin")).toBe("null");
    const list = await api.call("/v3/packages", { user: "space-developer", headers: { origin: FOREIGN } });
    expect(list.headers.get("access-control-allow-origin")).toBe(FOREIGN);
  });
});

describe("pages on this machine and the adminOrigins option", () => {
  it("get a grant for the admin API's methods and headers, and their changes are made", async () => {
    const flagged = "https://dev.example.com:8443";
    await start({ adminOrigins: [`${flagged}/`] });
    for (const origin of [...LOOPBACK, flagged]) {
      const pre = await preflight("/__mock/scenario", origin);
      expect(pre.status, origin).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe(origin);
      expect(pre.headers.get("access-control-allow-methods")).toMatch(/\bPUT\b.*\bDELETE\b/);
      expect(pre.headers.get("access-control-allow-headers")!.toLowerCase()).toContain("x-mock-packages");
      const put = await sendJson(api, "/__mock/scenario", { name: "slow" }, { method: "PUT", headers: { origin } });
      expect(put.status, origin).toBe(200);
      expect(put.headers.get("access-control-allow-origin")).toBe(origin);
      expect(sim.scenario.name).toBe("slow");
      sim.useScenario("cloud-controller");
    }
  });

  it("need a JSON body or X-Mock-Packages for a change: a text/plain or empty POST from a page is refused", async () => {
    await start();
    sim.useScenario("rate-limited");
    const origin = LOOPBACK[0]!;
    const attempts: Array<Record<string, string>> = [{ origin, "content-type": "text/plain" }, { origin }];
    for (const headers of attempts) {
      const body = headers["content-type"] ? "x" : null;
      const r = await api.call("/__mock/reset", { method: "POST", headers, body });
      expectError(
        r,
        400,
        "CF-BadRequest",
        1004,
        "Bad request: a change to the admin API from a browser page needs a JSON body (Content-Type: application/json) or the header 'X-Mock-Packages: 1', so that no form or text/plain request from another site can make it",
      );
      expect(r.headers.get("access-control-allow-origin")).toBe(origin);
    }
    expect(sim.scenario.name).toBe("rate-limited");
    const deleted = await api.call("/__mock/journal", {
      method: "DELETE",
      headers: { origin, "x-mock-packages": "1" },
    });
    expect(deleted.status).toBe(204);
    expect(
      (await api.call("/__mock/reset", { method: "POST", headers: { origin, "x-mock-packages": "1" } })).status,
    ).toBe(204);
    expect(sim.scenario.name).toBe("cloud-controller");
  });

  it("refuses an adminOrigins entry that is not an origin, with the entry and an example", () => {
    for (const bad of ["null", "*", "dev.example.com", "file:///tmp/page.html"]) {
      expect(() => createSimulator({ adminOrigins: [bad] }), bad).toThrow(
        `option 'adminOrigins': '${bad}' is not an origin; give scheme, host and port, e.g. https://dev.example.com:8443`,
      );
    }
  });
});

describe("clients that are not pages of another origin", () => {
  it("scripts and tests (no Origin) use the admin API as before, bodiless changes included", async () => {
    await start();
    sim.useScenario("rate-limited");
    expect((await api.call("/__mock/reset", { method: "POST" })).status).toBe(204);
    expect((await api.call("/__mock/journal", { method: "DELETE" })).status).toBe(204);
    expect(sim.scenario.name).toBe("cloud-controller");
  });

  it("msw answers a page on any dev origin in the page itself: no adminOrigins entry needed", async () => {
    await start({}, "msw");
    const origin = "https://dev.corp.example:3000";
    const put = await sendJson(
      api,
      "/__mock/scenario",
      { name: "rate-limited" },
      { method: "PUT", headers: { origin } },
    );
    expect(put.status).toBe(200);
    expect(sim.scenario.name).toBe("rate-limited");
    const r = await api.call("/__mock/reset", { method: "POST", headers: { origin, "x-mock-packages": "1" } });
    expect(r.status).toBe(204);
    expect(sim.scenario.name).toBe("cloud-controller");
  });
});
