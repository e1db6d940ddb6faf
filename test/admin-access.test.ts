/**
 * Who may drive the admin API under /__mock/ (issue 10): pages on this machine and the
 * origins given with adminOrigins, never another site, never `null`; changes from a
 * browser page need JSON or the X-Mock-Packages header; the CF API keeps its open CORS;
 * beyond this machine, the admin token.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSimulator, type Simulator, type SimulatorOptions } from "../src/index.js";
import { sendJson } from "./support/api.js";
import { overHttp, setup, type Adapter, type Answer, type Client } from "./support/client.js";
import { runCli, startCli } from "./support/cli.js";
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

const WHERE =
  "The command prints the admin token at start when it listens beyond this machine (or takes it from --admin-token); in code it is the adminToken option.";
const MISSING = `The admin API under /__mock/ needs the admin token: send 'Authorization: bearer <admin token>'. ${WHERE}`;
const WRONG = `That is not the admin token: send 'Authorization: bearer <admin token>'. ${WHERE}`;

describe("the adminToken option: the rule of a server beyond this machine, forced here on 127.0.0.1", () => {
  const adminToken = "t0k3n-for-tests";

  it("refuses admin requests without the token or with another (a user's JWT too), and takes them with it", async () => {
    await start({ adminToken }, "http");
    expectError(await api.call("/__mock/scenario"), 401, "CF-NotAuthenticated", 10002, MISSING);
    expectError(await api.call("/__mock/scenario", { token: "other" }), 401, "CF-InvalidAuthToken", 1000, WRONG);
    expectError(await api.call("/__mock/journal", { user: "admin" }), 401, "CF-InvalidAuthToken", 1000, WRONG);
    const refused = await sendJson(api, "/__mock/scenario", { name: "timeout" }, { method: "PUT" });
    expectError(refused, 401, "CF-NotAuthenticated", 10002, MISSING);
    expect(sim.scenario.name).toBe("cloud-controller");

    const put = await sendJson(api, "/__mock/scenario", { name: "rate-limited" }, { method: "PUT", token: adminToken });
    expect(put.status).toBe(200);
    expect((await api.call("/__mock/reset", { method: "POST", token: adminToken })).status).toBe(204);
    expect(sim.scenario.name).toBe("cloud-controller");
    // The CF API is not the admin API: its own tokens, as before.
    expect((await api.call("/v3/packages", { user: "space-developer" })).status).toBe(200);
  });

  it("lets a page on this machine send it: the admin preflight allows Authorization", async () => {
    await start({ adminToken });
    const pre = await preflight("/__mock/scenario", LOOPBACK[0]!);
    expect(pre.headers.get("access-control-allow-headers")!.toLowerCase()).toContain("authorization");
  });

  it("refuses a token that cannot be sent in a header", () => {
    for (const bad of ["", "two words"]) {
      expect(() => createSimulator({ adminToken: bad })).toThrow("option 'adminToken' must be a non-empty string");
    }
  });
});

describe("the command beyond this machine (finding 14a)", () => {
  it("--host 0.0.0.0 warns, prints a random admin token, and its admin API needs it", async () => {
    const cli = await startCli(["--host", "0.0.0.0", "--quiet"]);
    try {
      // The warning is on stderr, the banner on stdout: wait for both.
      await vi.waitFor(() => expect(cli.output()).toContain("WARNING"));
      const said = cli.output().replace(/\s+/g, " ");
      expect(said).toContain(
        "mock-packages: WARNING: listening on 0.0.0.0, this simulator is reachable from other machines on the network: anyone who can reach it can mint tokens with the documented signing key ('mock-packages-signing-key'; set your own with --signing-key)",
      );
      expect(said).toContain(
        "The admin API under /__mock/ (scenarios, reset, the request journal) needs the admin token printed below: send 'Authorization: bearer <admin token>'. Use --host 127.0.0.1 to keep it on this machine.",
      );
      const token = /Admin token: (\S+) /.exec(said)?.[1];
      expect(token).toMatch(/^[\w-]{32}$/);
      // Called on 127.0.0.1 only: the server is stopped as soon as this test is done.
      const local = overHttp(cli.url.replace("0.0.0.0", "127.0.0.1"));
      expectError(await local.call("/__mock/scenario"), 401, "CF-NotAuthenticated", 10002, MISSING);
      expect((await local.call("/__mock/scenario", { token })).status).toBe(200);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it("--admin-token and --admin-origin on 127.0.0.1: no warning, the token is needed, the origin is granted", async () => {
    const origin = "https://dev.example.com:8443";
    const cli = await startCli(["--quiet", "--admin-token", "given-token", "--admin-origin", origin]);
    try {
      expect(cli.output()).toContain("Admin token: the one given with --admin-token");
      expect(cli.output()).not.toContain("given-token");
      const local = overHttp(cli.url);
      expect((await local.call("/__mock/scenario")).status).toBe(401);
      const r = await local.call("/__mock/scenario", { token: "given-token", headers: { origin } });
      expect(r.status).toBe(200);
      expect(r.headers.get("access-control-allow-origin")).toBe(origin);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
    expect(cli.output()).not.toContain("WARNING");
  });

  it("refuses contradicting or malformed admin flags with exit 2", async () => {
    const both = await runCli(["--admin-open", "--admin-token", "x"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--admin-open and --admin-token contradict each other");
    const origin = await runCli(["--admin-origin", "dev.example.com"]);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toContain(
      "--admin-origin takes an origin (scheme, host and port), e.g. --admin-origin https://dev.example.com:8443; got 'dev.example.com'",
    );
  });
});
