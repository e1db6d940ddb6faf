/**
 * The event stream (`GET /__mock/events`) through every adapter, its bounds, and what the
 * journal keeps of answers (and `toHar()` in code).
 */
import { setupServer } from "msw/node";
import { afterEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../src/index.js";
import { createEventHub, MAX_QUEUED_BYTES } from "../src/core/events/hub.js";
import { createHandlers } from "../src/msw/index.js";
import { serve } from "../src/node/server.js";
import { buildAppZip } from "../fixtures/index.js";
import { harErrors } from "./support/har.js";
import { json } from "../src/core/http/answer.js";
import { recordAnswer } from "../src/core/journal/answer-record.js";
import { createJournal, type JournalEntry } from "../src/core/journal/journal.js";

function sampleEntry(): Omit<JournalEntry, "id"> {
  return {
    time: new Date(0).toISOString(),
    method: "GET",
    path: "/v3/packages",
    query: "",
    headers: {},
    multipart: null,
    body: null,
    status: 200,
    response: null,
    scenario: null,
    contract: null,
    durationMs: 1,
  };
}
import { tokenFor } from "./support/client.js";

const decoder = new TextDecoder();

/** Reads events from a stream until `count` have come (the hello included), or fails after 5 s. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number) {
  const reader = body.getReader();
  const events: Array<{ type: string; data: any }> = [];
  let buffer = "";
  const timer = setTimeout(() => void reader.cancel(), 5000);
  try {
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) });
      }
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return { events, reader: body };
}

async function sendUpload(sim: Simulator, guid: string, init: { send?: (r: Request) => Promise<Response> } = {}) {
  const form = new FormData();
  form.append("resources", "[]");
  form.append("bits", new Blob([await buildAppZip({ "a.txt": "a" })]), "package.zip");
  const request = new Request(`${sim.options.origin}/v3/packages/${guid}/upload`, {
    method: "POST",
    headers: { authorization: `bearer ${await tokenFor("space-developer")}` },
    body: form,
  });
  return (init.send ?? sim.handle)(request);
}

function waitingPackage(sim: Simulator): string {
  return [...sim.state.packages.values()].find((p) => p.state === "AWAITING_UPLOAD" && p.type === "bits")!.guid;
}

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

function newSim() {
  const sim = createSimulator({ processingDelay: 0 });
  sims.push(sim);
  return sim;
}

describe("GET /__mock/events", () => {
  it("sends hello, then the package's states, the journal entry, scenario changes and resets, in process", async () => {
    const sim = newSim();
    await sim.ready;
    const response = await sim.request("/__mock/events");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const guid = waitingPackage(sim);
    const reading = readEvents(response.body!, 6);
    expect((await sendUpload(sim, guid)).status).toBe(200);
    await sim.idle();
    sim.useScenario("rate-limited");
    await sim.reset();
    const { events } = await reading;
    expect(events.map((e) => e.type)).toEqual(["hello", "package", "journal", "package", "scenario", "reset"]);
    expect(events[1]!.data).toMatchObject({ guid, state: "PROCESSING_UPLOAD", checksum: null });
    expect(events[2]!.data).toMatchObject({ method: "POST", path: `/v3/packages/${guid}/upload`, status: 200 });
    expect(events[3]!.data).toMatchObject({
      guid,
      state: "READY",
      download: expect.stringMatching(/^\/blobstore\/packages\//),
    });
    expect(events[4]!.data.scenario).toEqual({ name: "rate-limited" });
    expect(events[5]!.type).toBe("reset");
  });

  it("works through the msw handlers: the answer is a streaming Response", async () => {
    const sim = newSim();
    const server = setupServer(...createHandlers(sim));
    server.listen({ onUnhandledRequest: "error" });
    try {
      const response = await fetch(`${sim.options.origin}/__mock/events`);
      expect(response.status).toBe(200);
      const reading = readEvents(response.body!, 2);
      sim.useScenario("slow");
      const { events } = await reading;
      expect(events.map((e) => e.type)).toEqual(["hello", "scenario"]);
      // msw keeps a copy of the body (a tee), whose cancel waits for both branches: the close ends them.
      void response.body!.cancel().catch(() => {});
    } finally {
      server.close();
    }
  });

  it("over HTTP: the server's close ends open streams at once", async () => {
    const sim = newSim();
    const running = await serve({ simulator: sim, port: 0 });
    const response = await fetch(`${running.url}/__mock/events`);
    const reader = response.body!.getReader();
    expect(decoder.decode((await reader.read()).value)).toContain("event: hello");
    const started = Date.now();
    await Promise.all([running.close(), sim.close()]);
    // Ended: done, or an error for the dropped connection; never a wait for the next event.
    await reader.read().then(
      (r) => expect(r.done).toBe(true),
      () => {},
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("HEAD answers the headers, with no body", async () => {
    const sim = newSim();
    const head = await sim.request("/__mock/events", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await head.text()).toBe("");
  });
});

describe("the event hub's bounds", () => {
  it("drops a subscriber that reads nothing once its queue passes the bound, and keeps one that reads", async () => {
    const hub = createEventHub();
    const stalled = hub.subscribe();
    const reading = hub.subscribe();
    const reader = reading.getReader();
    let read = 0;
    const drain = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        read += value.byteLength;
      }
    })();
    expect(hub.size()).toBe(2);
    const payload = "x".repeat(1000);
    for (let i = 0; i < (MAX_QUEUED_BYTES / 1000) * 2; i++) {
      hub.publish("journal", { payload });
      await Promise.resolve();
    }
    expect(hub.size()).toBe(1);
    await expect(stalled.getReader().read()).rejects.toThrow(/event stream dropped/);
    hub.close();
    await drain;
    expect(read).toBeGreaterThan(MAX_QUEUED_BYTES);
  });

  it("ends every stream on close, and later subscribers' at once", async () => {
    const hub = createEventHub();
    const reader = hub.subscribe().getReader();
    await reader.read(); // hello
    hub.close();
    expect((await reader.read()).done).toBe(true);
    expect((await hub.subscribe().getReader().read()).done).toBe(true);
  });
});

describe("the journal keeps answers", () => {
  it("keeps status, headers and body, redacts tokens in answers, and writes HAR 1.2 in code", async () => {
    const sim = newSim();
    await sim.ready;
    const token = await sim.request("/oauth/token", {
      method: "POST",
      headers: { authorization: "Basic Y2Y6", "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&username=admin&password=password",
    });
    expect(token.status).toBe(200);
    const entry = sim.journal.last()!;
    expect(entry.response!.headers["content-type"]).toContain("application/json");
    const kept = JSON.parse(entry.response!.body!);
    expect(kept).toMatchObject({ access_token: "[redacted]", refresh_token: "[redacted]", token_type: "bearer" });
    expect(entry.response!.bodySize).toBeGreaterThan(0);

    const guid = [...sim.state.packages.values()].find((p) => p.state === "READY" && p.type === "bits")!.guid;
    const download = await sim.request(`/v3/packages/${guid}/download`, { token: await tokenFor("space-developer") });
    expect(download.status).toBe(302);
    expect(sim.journal.last()!.response!.headers.location).toMatch(/signature=\[redacted\]$/);
    const blob = await sim.request(download.headers.get("location")!);
    expect(blob.status).toBe(200);
    await blob.arrayBuffer();
    expect(sim.journal.last()!.response).toMatchObject({ body: null, streamed: true, bodySize: expect.any(Number) });

    const har = sim.journal.toHar();
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries.map((e) => e.response.status)).toEqual([200, 302, 200]);
    expect(har.log.entries[1]!.response.redirectURL).toContain("signature=[redacted]");
    expect(sim.journal.get(1)?.path).toBe("/oauth/token");
    expect(sim.journal.get(99)).toBeUndefined();
  });

  it("keeps at most the first 64 KiB of an answer's body, counted in the byte budget", () => {
    const answer = json(200, { detail: "x".repeat(100_000) });
    const kept = recordAnswer(answer)!;
    expect(kept.body!.length).toBe(64 * 1024);
    expect(kept.bodyOmitted).toBe((answer.body as string).length - 64 * 1024);
    expect(kept.bodySize).toBe((answer.body as string).length);
    // Each entry's size, answer included, counts against journalMaxBytes: 3 such entries do not fit in 150,000.
    const journal = createJournal({ entries: 100, bytes: 150_000 });
    const entry = { ...sampleEntry(), response: kept };
    for (let i = 0; i < 3; i++) journal.add(entry);
    expect(journal.entries().length).toBe(2);
    expect(journal.dropped()).toBe(1);
  });
});
