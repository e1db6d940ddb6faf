import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContractChecker } from "../contract/index.js";
import { createSimulator, type Simulator } from "../core/simulator.js";
import { serve, type RunningServer } from "../node/server.js";
import { connectToServer, expectNoContractViolationsAt, type ServerConnection } from "./server.js";

/** A simulator over HTTP on a free port, and a connection to it. */
async function start(options: Parameters<typeof createSimulator>[0] = {}) {
  const sim = createSimulator({ processingDelay: 0, ...options });
  const running = await serve({ simulator: sim, port: 0 });
  return { sim, running };
}

async function packages(server: ServerConnection, user = "space-developer"): Promise<Response> {
  return fetch(`${server.url}/v3/packages`, { headers: { Authorization: `bearer ${await server.token(user)}` } });
}

let plain: { sim: Simulator; running: RunningServer };
let checked: { sim: Simulator; running: RunningServer };
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
