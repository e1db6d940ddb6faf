import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContractChecker } from "../contract/index.js";
import { createSimulator, type Simulator } from "../core/simulator.js";
import { serve, type RunningServer } from "../node/server.js";
import { connectToServer, expectNoContractViolationsAt, type ServerConnection } from "./server.js";

/** A simulator over HTTP on a free port, and a connection to it. */
async function start(options: Parameters<typeof createSimulator>[0] = {}) {
  const sim = createSimulator({ processingDelay: 0, ...options });
  const running = await serve({ simulator: sim, port: 0 });
  /** A sandbox's own simulator, by id. */
  const sandbox = (id: string) => sim.sandboxes.get(id)!.simulator;
  return { sim, running, sandbox };
}

async function packages(server: ServerConnection, user = "space-developer"): Promise<Response> {
  return fetch(`${server.url}/v3/packages`, { headers: { Authorization: `bearer ${await server.token(user)}` } });
}

type Started = Awaited<ReturnType<typeof start>>;
let plain: Started;
let checked: Started;
// Loading Prism for the checker takes seconds on a busy machine (BENCHMARKS.md, footprint).
beforeAll(async () => {
  plain = await start();
  checked = await start({ contract: await createContractChecker() });
}, 60_000);
afterAll(async () => {
  for (const { sim, running } of [plain, checked]) {
    await running.close();
    await sim.close();
  }
});

describe("connectToServer", () => {
  it("mints tokens the server accepts, with the scopes asked for", async () => {
    const server = connectToServer(plain.running.url);
    expect((await packages(server)).status).toBe(200);
    const expired = await server.token("space-developer", { expired: true });
    const r = await fetch(`${server.url}/v3/packages`, { headers: { Authorization: `bearer ${expired}` } });
    expect(r.status).toBe(401);
  });

  it("reads the journal with its filters and resets it", async () => {
    const server = connectToServer(`${plain.running.url}/`);
    await server.reset();
    await packages(server);
    await fetch(`${server.url}/v3/packages`);
    expect((await server.journal()).map((e) => e.status)).toEqual([200, 401]);
    expect((await server.journal({ status: 401 })).map((e) => e.status)).toEqual([401]);
    await server.reset();
    expect(await server.journal()).toEqual([]);
  });

  it("switches the scenario until the next reset", async () => {
    const server = connectToServer(plain.running.url);
    await server.useScenario("rate-limited");
    expect(plain.sim.scenario.name).toBe("rate-limited");
    await server.reset();
    expect(plain.sim.scenario.name).toBe("cloud-controller");
  });

  it("gives a world's users with a global role their scopes", async () => {
    const server = connectToServer(plain.running.url, { globalRoles: { alice: "admin" } });
    const claims = JSON.parse(atob((await server.token("alice")).split(".")[1]!)) as { scope: string[] };
    expect(claims.scope).toContain("cloud_controller.admin");
  });

  it("says what to do when the admin API wants a token, or no server answers", async () => {
    const guarded = await start({ adminToken: "s3cret" });
    try {
      await expect(connectToServer(guarded.running.url).reset()).rejects.toThrow(
        /POST .*\/__mock\/reset answered 401: .*pass adminToken/,
      );
      await connectToServer(guarded.running.url, { adminToken: "s3cret" }).reset();
    } finally {
      await guarded.running.close();
      await guarded.sim.close();
    }
    await expect(connectToServer(guarded.running.url).reset()).rejects.toThrow(
      /failed \((ECONNREFUSED|UND_ERR_SOCKET)\): is the server running at/,
    );
  });
});

describe("expectNoContractViolationsAt", () => {
  it("fails on a server without verdicts rather than pass on an empty list", async () => {
    await expect(expectNoContractViolationsAt(plain.running.url)).rejects.toThrow(
      /gives no contract verdicts, so there is nothing to assert: start it with --contract-verdicts/,
    );
  });

  it("fails when nothing was checked, passes on good requests, names the bad ones", async () => {
    const server = connectToServer(checked.running.url);
    await server.reset();
    await expect(server.expectNoContractViolations()).rejects.toThrow(/no request in the journal was checked/);
    await packages(server);
    await server.expectNoContractViolations();
    await fetch(`${server.url}/v3/packages?per_page=3`);
    await expect(server.expectNoContractViolations()).rejects.toThrow(
      /1 request\(s\) broke the contract:\n {2}#2 GET \/v3\/packages\?per_page=3:\n {4}- header\.authorization/,
    );
  });
});

describe("connectToServer with a sandbox", () => {
  it("opens the sandbox (twice is fine), serves it at url with tokens that carry its claim, deletes it", async () => {
    const server = connectToServer(plain.running.url, { sandbox: "t-open" });
    expect(server.url).toBe(`${plain.running.url}/sandboxes/t-open`);
    expect(server.sandbox).toBe("t-open");
    await expect(server.reset()).rejects.toThrow(/answered 404: .*no sandbox 't-open'.* Call openSandbox\(\) first/);
    await server.openSandbox();
    await server.openSandbox(); // a later file of the same worker finds it there
    expect(plain.sim.sandboxes.get("t-open")).toBeDefined();
    const token = await server.token("space-developer");
    expect(JSON.parse(atob(token.split(".")[1]!)).mock_sandbox).toBe("t-open");
    // The token alone reaches the sandbox, whatever URL it goes to; so does url with a plain token.
    await fetch(`${plain.running.url}/v3/packages`, { headers: { Authorization: `bearer ${token}` } });
    expect((await packages(connectToServer(server.url))).status).toBe(200);
    expect(plain.sandbox("t-open").journal.entries()).toHaveLength(2);
    await server.deleteSandbox();
    await server.deleteSandbox(); // gone already
    expect(plain.sim.sandboxes.get("t-open")).toBeUndefined();
  });

  it("scopes reset, journal and scenario to the sandbox: the default sandbox and a neighbour see nothing", async () => {
    const [a, b] = [
      connectToServer(plain.running.url, { sandbox: "t-a" }),
      connectToServer(plain.running.url, { sandbox: "t-b" }),
    ];
    const outside = connectToServer(plain.running.url);
    await Promise.all([a.openSandbox(), b.openSandbox(), outside.reset()]);
    try {
      await a.useScenario("rate-limited");
      await Promise.all([packages(a), packages(b), packages(b)]);
      expect(plain.sandbox("t-a").scenario.name).toBe("rate-limited");
      expect(plain.sandbox("t-b").scenario.name).toBe("cloud-controller");
      expect(plain.sim.scenario.name).toBe("cloud-controller");
      expect(await a.journal()).toHaveLength(1);
      expect(await b.journal()).toHaveLength(2);
      expect(await outside.journal()).toEqual([]);
      await a.reset();
      expect(await a.journal()).toEqual([]);
      expect(plain.sandbox("t-a").scenario.name).toBe("cloud-controller");
      expect(await b.journal()).toHaveLength(2);
    } finally {
      await Promise.all([a.deleteSandbox(), b.deleteSandbox()]);
    }
  });

  it("says what went wrong: no sandbox option, a bad id, the server's limit", async () => {
    expect(() => connectToServer(plain.running.url, { sandbox: "no/slash" })).toThrow(/is no sandbox id/);
    expect(() => connectToServer(plain.running.url, { sandbox: "default" })).toThrow(/is no sandbox id/);
    await expect(connectToServer(plain.running.url).openSandbox()).rejects.toThrow(
      /openSandbox\(\) needs a sandbox: pass \{ sandbox: ID \} to connectToServer/,
    );
    const small = await start({ maxSandboxes: 1 });
    try {
      await connectToServer(small.running.url, { sandbox: "one" }).openSandbox();
      await expect(connectToServer(small.running.url, { sandbox: "two" }).openSandbox()).rejects.toThrow(
        /POST .*\/__mock\/sandboxes answered 422: This server holds 1 sandboxes, its limit \(--max-sandboxes/,
      );
    } finally {
      await small.running.close();
      await small.sim.close();
    }
  });

  it("asserts the contract on the sandbox's requests only: sandboxes share the server's checker", async () => {
    const server = connectToServer(checked.running.url, { sandbox: "t-contract" });
    await server.openSandbox();
    try {
      // A bad request outside the sandbox does not count against it.
      await fetch(`${checked.running.url}/v3/packages?per_page=4`);
      await expect(server.expectNoContractViolations()).rejects.toThrow(/no request in the journal was checked/);
      await packages(server);
      await server.expectNoContractViolations();
      await fetch(`${server.url}/v3/packages?per_page=5`);
      await expect(server.expectNoContractViolations()).rejects.toThrow(/#2 GET \/v3\/packages\?per_page=5/);
    } finally {
      await server.deleteSandbox();
    }
  });
});
