import { describe, expect, it } from "vitest";
import { headAnswer, json, jsonList } from "./answer.js";

/** Reads a stream body whole, counting its chunks. */
async function readAll(body: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, chunks };
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
}

describe("jsonList", () => {
  it("serialises a large list a slice at a time, as JSON.stringify would whole", async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: "x".repeat(1000), nested: { a: [i] } }));
    const answer = jsonList(200, "entries", items, { dropped: 7 });
    const { text, chunks } = await readAll(answer.body as ReadableStream<Uint8Array>);
    expect(text).toBe(JSON.stringify({ entries: items, dropped: 7 }));
    expect(chunks).toBeGreaterThan(10);
    expect(answer.headers["Content-Type"]).toBe("application/json; charset=utf-8");
  });

  it("an empty list, and no other keys", async () => {
    expect((await readAll(jsonList(200, "entries", [], { dropped: 0 }).body as ReadableStream<Uint8Array>)).text).toBe(
      '{"entries":[],"dropped":0}',
    );
    expect((await readAll(jsonList(200, "entries", [1, 2], {}).body as ReadableStream<Uint8Array>)).text).toBe(
      '{"entries":[1,2]}',
    );
  });
});

describe("headAnswer", () => {
  it("keeps status and headers, adds the body's byte length, and drops the body", () => {
    const head = headAnswer(json(404, { é: 1 }, { "X-A": "b" }));
    expect(head).toEqual({
      status: 404,
      headers: { "Content-Type": "application/json; charset=utf-8", "X-A": "b", "Content-Length": "8" },
      body: null,
    });
  });

  it("keeps a Content-Length already there and cancels a stream body", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    const head = headAnswer({ status: 200, headers: { "Content-Length": "42" }, body });
    expect(head).toEqual({ status: 200, headers: { "Content-Length": "42" }, body: null });
    await Promise.resolve();
    expect(cancelled).toBe(true);
  });
});
