/**
 * The journal and JSON bodies bounded (issue 10, findings 4, 5 and "own properties only"):
 * the journal keeps at most its byte budget and says how many entries it dropped, keeps a
 * prefix of long bodies and a bounded list of zip names, and a JSON body is refused (413)
 * before it is read whole or parsed when it is larger or holds more values than any client
 * sends. Keys that user input names are stored as own properties, `__proto__` included.
 */
import { zipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { buildCfUploadBody } from "../fixtures/index.js";
import type { Simulator } from "../src/index.js";
import { matchResources, postUpload, sendJson } from "./support/api.js";
import { expectContract, setup, tokenFor, type Client } from "./support/client.js";
import { packageGuid } from "./support/world.js";

const KiB = 1024;
const MiB = 1024 * KiB;

let sim: Simulator;
let api: Client;
let close: () => Promise<void> = async () => {};
afterEach(() => close());

/** A resource match body of `count` V3 entries (about 110 characters each). */
const matchBody = (count: number) =>
  JSON.stringify({
    resources: Array.from({ length: count }, (_, i) => ({
      checksum: { value: i.toString(16).padStart(40, "0") },
      size_in_bytes: 70_000 + i,
    })),
  });

describe("the journal's byte budget", () => {
  it("drops the oldest entries past journalMaxBytes, says how many, and always serialises", async () => {
    ({ sim, api, close } = await setup({ journalMaxBytes: 256 * KiB }));
    const body = matchBody(300);
    expect(body.length).toBeGreaterThan(20 * KiB);
    for (let i = 0; i < 30; i++) expect((await matchResources(api, body)).status).toBe(201);
    const entries = sim.journal.entries();
    expect(JSON.stringify(entries).length).toBeLessThanOrEqual(256 * KiB);
    expect(sim.journal.dropped()).toBe(30 - entries.length);
    expect(entries.map((e) => e.id)).toEqual(entries.map((_, i) => 31 - entries.length + i));
    const over = await api.call("/__mock/journal", {});
    expect(over.status).toBe(200);
    expect(over.json.dropped).toBe(30 - entries.length);
    expect(over.json.entries).toHaveLength(entries.length);
    await api.call("/__mock/journal", { method: "DELETE" });
    expect((await api.call("/__mock/journal", {})).json).toEqual({ entries: [], dropped: 0 });
  });

  it("keeps the first 64 KiB of a long JSON body and counts the rest", async () => {
    ({ sim, api, close } = await setup());
    const body = matchBody(1500);
    expect(body.length).toBeGreaterThan(100 * KiB);
    expect((await matchResources(api, body)).status).toBe(201);
    const entry = sim.journal.last()!;
    expect(entry.body).toBe(body.slice(0, 64 * KiB));
    expect(entry.bodyOmitted).toBe(body.length - 64 * KiB);
  });

  it("keeps 2 MiB of a zip's entry names and counts the names left out", async () => {
    ({ sim, api, close } = await setup());
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++) files[`${i}`.padStart(60_000, "d")] = new Uint8Array(1);
    const zip = zipSync(files, { level: 0 });
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const answer = await postUpload(api, guid, buildCfUploadBody({ bits: zip }));
    expect(answer.status).toBe(200);
    const bits = sim.journal.last()!.multipart!.bits!;
    expect(bits.entries).toHaveLength(Math.floor((2 * MiB) / 60_000));
    expect(bits.entriesOmitted).toBe(40 - bits.entries!.length);
  });
});

describe("JSON bodies", () => {
  it("a body sent without a length is read up to maxJsonBodySize and no further: 413", async () => {
    ({ sim, api, close } = await setup({ maxJsonBodySize: 256 * KiB }));
    let pulled = 0;
    const chunk = new TextEncoder().encode(`"${"x".repeat(16 * KiB - 3)}",`);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += chunk.length;
        if (pulled > 64 * MiB) c.close();
        else c.enqueue(chunk);
      },
    });
    const answer = await sim.handle(
      new Request("http://127.0.0.1/v3/resource_matches", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `bearer ${await tokenFor("space-developer")}` },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(answer.status).toBe(413);
    const text = await answer.text();
    await expectContract("POST", "/v3/resource_matches", {
      status: answer.status,
      headers: answer.headers,
      text,
      bytes: new TextEncoder().encode(text),
      json: undefined,
    });
    expect(answer.headers.get("x-mock-packages-detail")).toBe(
      "The JSON body is larger than that; the simulator reads at most 262144 bytes of a JSON body. " +
        "Send less, or raise the bound with --max-json-body-size (option maxJsonBodySize).",
    );
    expect(pulled).toBeLessThan(512 * KiB);
  });

  it("a small body of more values than any client sends is 413 before it is parsed", async () => {
    ({ sim, api, close } = await setup());
    const objects = await sendJson(api, "/v3/resource_matches", `[${"{},".repeat(100_000)}{}]`, {
      user: "space-developer",
    });
    expect(objects.status).toBe(413);
    expect(objects.headers.get("x-mock-packages-detail")).toMatch(
      /^The JSON body holds more than 40000 JSON objects and arrays/,
    );
    const numbers = await sendJson(api, "/__mock/scenario", `[${"1,".repeat(400_000)}1]`, { method: "PUT" });
    expect(numbers.status, numbers.text).toBe(413);
    expect(numbers.headers.get("x-mock-packages-detail")).toMatch(/holds more than 150000 JSON values/);
  });
});

describe("own properties only", () => {
  it("labels named constructor and toString, and an annotation named __proto__, are stored as keys, nothing else changes", async () => {
    ({ sim, api, close } = await setup());
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    // A label named __proto__ breaks the controller's key rules ('_' may not start a name); an
    // annotation's key is checked only when its value is not blank, so `"__proto__": ""` is stored.
    const refused = await sendJson(api, `/v3/packages/${guid}`, `{"metadata":{"labels":{"__proto__":"odd"}}}`, {
      method: "PATCH",
      user: "space-developer",
    });
    expect(refused.status, refused.text).toBe(422);
    const metadata = `{"labels":{"constructor":"odd","toString":"odder"},"annotations":{"__proto__":""}}`;
    const patch = await sendJson(api, `/v3/packages/${guid}`, `{"metadata":${metadata}}`, {
      method: "PATCH",
      user: "space-developer",
    });
    expect(patch.status, patch.text).toBe(200);
    expect(Object.keys(patch.json.metadata.labels)).toEqual(expect.arrayContaining(["constructor", "toString"]));
    expect(patch.json.metadata.labels.constructor).toBe("odd");
    expect(Object.keys(patch.json.metadata.annotations)).toContain("__proto__");
    const listed = await api.call("/v3/packages?label_selector=constructor%3Dodd", { user: "space-developer" });
    expect(listed.json.resources.map((p: { guid: string }) => p.guid)).toEqual([guid]);
    expect(Object.getPrototypeOf(sim.state.packages.get(guid)!.annotations)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(sim.state.packages.get(guid)!.labels)).toBe(Object.prototype);
  });
});
