/**
 * Sandboxes at their edges: the limit, idle expiry, deletion while uploads stream in, a token
 * for a deleted sandbox, the bits of a deleted sandbox, the command's `token --sandbox`, and a
 * seeded fuzz pass over sandbox paths and headers.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { createSimulator, mintUserToken } from "../src/index.js";
import { createFileStore } from "../src/node/index.js";
import { liveBlobs, ownedBlobs } from "./support/blobs.js";
import { runCli } from "./support/cli.js";
import { decodeJwt } from "./support/cf-cli.js";
import { tokenFor } from "./support/client.js";
import { packageGuid } from "./support/world.js";

const quiet = { processingDelay: 0, logger: () => {} };

describe("sandbox limits", () => {
  it("one more than --max-sandboxes is 422 in the CF envelope, and a deleted one frees its place", async () => {
    const sim = createSimulator({ ...quiet, maxSandboxes: 2 });
    await sim.ready;
    const post = (body: unknown) =>
      sim.request("/__mock/sandboxes", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ id: "a" })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    const over = await post({ id: "c" });
    expect(over.status).toBe(422);
    expect((await over.json()).errors[0]).toMatchObject({
      title: "CF-UnprocessableEntity",
      detail: expect.stringContaining("This server holds 2 sandboxes, its limit (--max-sandboxes"),
    });
    const dup = await sim.sandboxes.create({ id: "a" }).catch((e: Error) => e);
    expect(String(dup)).toContain("A sandbox 'a' exists already");
    const bad = await post({ id: "../x" });
    expect(bad.status).toBe(400);
    const unknown = await post({ name: "x" });
    expect((await unknown.json()).errors[0].detail).toContain("unknown option 'name'");
    expect((await sim.request("/__mock/sandboxes/a", { method: "DELETE" })).status).toBe(204);
    expect((await post({ id: "c" })).status).toBe(201);
    await sim.close();
    expect(sim.sandboxes.list()).toEqual([]);
  });

  it("an idle sandbox expires with its bits; a busy one does not; its token then gets 401 naming it", async () => {
    const store = createFileStore();
    // An injected clock: nothing is idle until the test moves it, however slow the machine.
    let clock = Date.parse("2025-01-15T10:00:00Z");
    const sim = createSimulator({ ...quiet, store, sandboxIdleTimeout: 1, now: () => clock });
    await sim.ready;
    const idle = await sim.sandboxes.create({ id: "idle" });
    const busy = await sim.sandboxes.create({ id: "busy" });
    const token = await mintUserToken("space-developer", { sandbox: "idle" });
    const guid = packageGuid(idle.simulator, "web-app", "AWAITING_UPLOAD");
    const { body, contentType } = buildCfUploadBody({ bits: await buildAppZip({ "a.txt": "x".repeat(400_000) }) });
    const up = await sim.request(`/v3/packages/${guid}/upload`, {
      method: "POST",
      token,
      headers: { "content-type": contentType },
      body,
    });
    expect(up.status).toBe(200);
    await idle.simulator.idle();
    const idleBlobs = ownedBlobs(idle.simulator);
    expect(idleBlobs.length).toBeGreaterThan(1);
    expect(await liveBlobs(store)).toEqual(expect.arrayContaining(idleBlobs));
    expect(sim.sandboxes.get("idle")).toBe(idle);
    // Two seconds later by the clock; busy gets a request at once (its use is noted before any await).
    clock += 2000;
    void sim.request("/sandboxes/busy/v3");
    await vi.waitFor(() => expect(sim.sandboxes.get("idle")).toBeUndefined(), { timeout: 10_000, interval: 50 });
    expect(sim.sandboxes.get("busy")).toBe(busy);
    const left = await liveBlobs(store);
    expect(left.filter((id) => idleBlobs.includes(id))).toEqual([]);
    expect(left).toEqual(expect.arrayContaining(ownedBlobs(busy.simulator)));
    const after = await sim.request("/v3/apps", { token });
    expect(after.status).toBe(401);
    expect((await after.json()).errors[0]).toMatchObject({
      title: "CF-InvalidAuthToken",
      code: 1000,
      detail: expect.stringContaining("minted for sandbox 'idle', which does not exist"),
    });
    const byPrefix = await sim.request("/sandboxes/idle/v3/apps", { token: await tokenFor("space-developer") });
    expect(byPrefix.status).toBe(404);
    expect((await byPrefix.json()).errors[0].detail).toContain("there is no sandbox 'idle'");
    await sim.close();
    store.dispose();
  });

  it("deleting a sandbox while uploads stream in: each ends with an answer (no 500), and no bit is left", async () => {
    const store = createFileStore({ memoryThreshold: 0 });
    const sim = createSimulator({ ...quiet, store });
    await sim.ready;
    const before = await liveBlobs(store);
    const box = await sim.sandboxes.create({ id: "doomed" });
    const token = await tokenFor("space-developer");
    const zip = await buildAppZip({ "big.bin": "y".repeat(1_000_000) });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const uploads = [...box.simulator.state.packages.values()]
      .filter((p) => p.state === "AWAITING_UPLOAD" && p.type === "bits")
      .map((p) => {
        const { body, contentType } = buildCfUploadBody({ bits: zip });
        const bytes = typeof body === "string" ? new TextEncoder().encode(body) : (body as Uint8Array);
        const half = Math.floor(bytes.length / 2);
        const stream = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(bytes.subarray(0, half));
            await held;
            c.enqueue(bytes.subarray(half));
            c.close();
          },
        });
        return sim.request(`/sandboxes/doomed/v3/packages/${p.guid}/upload`, {
          method: "POST",
          token,
          headers: { "content-type": contentType },
          body: stream,
          duplex: "half",
        } as RequestInit);
      });
    expect(uploads.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const deleting = sim.sandboxes.delete("doomed");
    release();
    const answers = await Promise.all(uploads);
    await deleting;
    // Those that got as far as the bits answer 503 "send it again" (the sandbox went away mid-request);
    // the others were refused before (a suspended org's package); none is a 500 or a success.
    const titles = await Promise.all(answers.map(async (a) => `${a.status} ${(await a.json()).errors[0].title}`));
    expect(titles).toContain("503 CF-ServiceUnavailable");
    for (const t of titles) expect(t).toMatch(/^(503 CF-ServiceUnavailable|4\d\d CF-)/);
    expect(await liveBlobs(store)).toEqual(before);
    await sim.close();
    store.dispose();
  });

  it("mock-packages token --sandbox ID carries the sandbox claim", async () => {
    const r = await runCli(["token", "--user", "space-developer", "--sandbox", "alice"]);
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout.trim()).mock_sandbox).toBe("alice");
  });
});

describe("fuzz: sandbox paths, headers and claims", () => {
  it("never answers 500, always in the CF envelope or a success, and the default sandbox's world stays put", async () => {
    const sim = createSimulator({ ...quiet, maxSandboxes: 4 });
    await sim.ready;
    await sim.sandboxes.create({ id: "known" });
    const packagesBefore = sim.state.packages.size;
    const segment = fc.oneof(
      fc.constantFrom("known", "default", "missing", "", "%2e%2e", "..", "%", "a%2Fb", "known%00"),
      fc.string({ maxLength: 12 }),
    );
    const rest = fc.constantFrom(
      "",
      "/",
      "/v3",
      "/v3/apps",
      "/__mock/journal",
      "/__mock/sandboxes",
      "/x",
      "/v3/packages?per_page=1",
    );
    const header = fc.option(
      fc.oneof(fc.constantFrom("known", "default", "missing", " known "), fc.string({ maxLength: 8 })),
    );
    const claim = fc.option(fc.constantFrom("known", "default", "missing", ""));
    await fc.assert(
      fc.asyncProperty(segment, rest, header, claim, async (seg, tail, h, c) => {
        const headers = new Headers();
        if (h !== null) {
          try {
            headers.set("x-mock-sandbox", h);
          } catch {
            // Not a valid header value: no client could send it.
          }
        }
        if (c !== null)
          headers.set("authorization", `bearer ${await mintUserToken("space-developer", { sandbox: c })}`);
        const path = `/sandboxes/${encodeURIComponent(seg).replace(/%25/g, "%")}${tail}`;
        const answer = await sim.request(path, { headers });
        expect(answer.status, path).toBeLessThan(500);
        if (answer.status >= 400) expect((await answer.json()).errors[0].title, path).toMatch(/^CF-/);
        else await answer.arrayBuffer();
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 4010), numRuns: 300 },
    );
    expect(sim.state.packages.size).toBe(packagesBefore);
    expect(sim.sandboxes.list().map((s) => s.id)).toEqual(["known"]);
    await sim.close();
  });
});
