/**
 * Every input bounded before it is held (issue 10, findings 1, 4 and 5), measured on the
 * real command run as a child process: the peak resident memory (`VmHWM`, reset before each
 * request) says what one request cost the server. Before the bounds, two unauthenticated
 * 63 MiB `resources` fields killed the server (4 GB each), a 700 MiB JSON body answered 500
 * after 1.5 GB, and eight journalled fields broke `GET /__mock/journal`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overHttp, tokenFor, type Client } from "./support/client.js";
import { startCli, type RunningCli } from "./support/cli.js";
import { peakMiB, resetPeak, streamRequest, type StreamedAnswer } from "./support/proc.js";

const MiB = 1024 * 1024;
const BOUNDARY = "bounded-input-test";
const encoder = new TextEncoder();
/** A JSON string of 1,024 characters: 4 MiB of them is 4,096 values, within what the simulator parses. */
const LONG_STRING = `"${"x".repeat(1022)}"`;

/** `count` copies of `piece`, in chunks of about 64 KiB: a big body the test never holds whole. */
function* repeated(piece: string, count: number): Generator<Uint8Array> {
  const perChunk = Math.max(1, Math.floor(65536 / piece.length));
  const chunk = encoder.encode(piece.repeat(perChunk));
  let left = count;
  for (; left >= perChunk; left -= perChunk) yield chunk;
  if (left > 0) yield encoder.encode(piece.repeat(left));
}

/** A multipart upload body whose `resources` field is `[` + `entry,` × count + `entry]`. */
function* resourcesBody(entry: string, count: number): Generator<Uint8Array> {
  yield encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n[`);
  yield* repeated(`${entry},`, count - 1);
  yield encoder.encode(`${entry}]\r\n--${BOUNDARY}--\r\n`);
}

describe.skipIf(process.platform !== "linux")("bounded input (the server's peak memory, in a child process)", () => {
  let server: RunningCli;
  let api: Client;
  let pid: number;

  beforeAll(async () => {
    server = await startCli(["--processing-delay", "0", "--quiet"]);
    api = overHttp(server.url);
    pid = server.child.pid!;
    // Warm up the upload path once, so that loading its modules is not counted below.
    await api.call("/v3/packages/warm/upload", { method: "POST" });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** Sends one request and answers it with how far the server's peak memory rose meanwhile. */
  async function measured(send: () => Promise<StreamedAnswer>): Promise<StreamedAnswer & { growthMiB: number }> {
    resetPeak(pid);
    const before = peakMiB(pid);
    const answer = await send();
    return { ...answer, growthMiB: Math.max(0, peakMiB(pid) - before) };
  }

  const upload = (path: string, chunks: Iterable<Uint8Array>, headers: Record<string, string> = {}) =>
    streamRequest(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
      chunks,
    });

  it("finding 1: unauthenticated uploads with a 63 MiB resources field: 413 at 4 MiB, memory flat, still serving", async () => {
    for (let round = 0; round < 2; round++) {
      const answer = await measured(() =>
        upload("/v3/packages/any-guid/upload", resourcesBody(LONG_STRING, 63 * 1024)),
      );
      expect(answer.status).toBe(413);
      expect(answer.headers["x-mock-packages-detail"]).toMatch(
        /^The form field 'resources' is larger than 4194304 bytes/,
      );
      expect(answer.sent, "the client stopped writing once answered").toBeLessThan(63 * MiB);
      expect(answer.growthMiB, "the field was held or parsed past the front end's bound").toBeLessThan(64);
    }
    expect((await api.call("/v3", {})).status).toBe(200);
  });

  it("finding 1: an authenticated resources field of more values than any client sends is 413 before it is parsed", async () => {
    const token = await tokenFor("admin");
    const auth = { authorization: `bearer ${token}` };
    const objects = await measured(() => upload("/v3/packages/any-guid/upload", resourcesBody("{}", 1_000_000), auth));
    expect(objects.status).toBe(413);
    expect(objects.headers["x-mock-packages-detail"]).toMatch(
      /^The form field 'resources' holds more than 40000 JSON objects and arrays, the most the simulator parses/,
    );
    expect(objects.growthMiB).toBeLessThan(32);
    const numbers = await measured(() => upload("/v3/packages/any-guid/upload", resourcesBody("1", 1_000_000), auth));
    expect(numbers.status).toBe(413);
    expect(numbers.headers["x-mock-packages-detail"]).toMatch(/holds more than 150000 JSON values/);
  });

  it("finding 1: the costliest resources field the simulator parses (30,000 objects, 120,000 values) costs under 64 MiB", async () => {
    const token = await tokenFor("admin");
    const entry = '{"fn":"f","size":1,"sha1":"0000000000000000000000000000000000000000"}';
    const answer = await measured(() =>
      upload("/v3/packages/any-guid/upload", resourcesBody(entry, 30_000), { authorization: `bearer ${token}` }),
    );
    // Parsed at check 4 (it is valid JSON), then the package is looked up: 404.
    expect(answer.status, answer.text).toBe(404);
    expect(answer.growthMiB).toBeLessThan(64);
  });

  it("finding 5: a JSON body declared at 700 MiB is 413 before it is read; one sent chunked stops at 4 MiB", async () => {
    const declared = await measured(() =>
      streamRequest(`${server.url}/__mock/scenario`, {
        method: "PUT",
        headers: { "content-type": "application/json", "content-length": String(700 * MiB) },
        chunks: repeated(" ", 700 * MiB),
      }),
    );
    expect(declared.status).toBe(413);
    expect(declared.headers["x-mock-packages-detail"]).toMatch(
      /^The JSON body is 734003200 bytes; the simulator reads at most 4194304 bytes/,
    );
    expect(declared.growthMiB).toBeLessThan(32);
    const token = await tokenFor("space-developer");
    const chunked = await measured(() =>
      streamRequest(`${server.url}/v3/resource_matches`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `bearer ${token}` },
        chunks: repeated("{},", (64 * MiB) / 3),
      }),
    );
    expect(chunked.status).toBe(413);
    expect(chunked.growthMiB).toBeLessThan(32);
  });

  it("findings 1 and 4: eight unauthenticated 4 MiB fields are journalled as 64 KiB prefixes; GET /__mock/journal answers", async () => {
    await api.call("/__mock/journal", { method: "DELETE" });
    const count = Math.floor((4 * MiB - 200) / (LONG_STRING.length + 1));
    for (let i = 0; i < 8; i++) {
      const answer = await upload("/v3/packages/any-guid/upload", resourcesBody(LONG_STRING, count));
      expect(answer.status).toBe(401);
    }
    const journal = await api.call("/__mock/journal", {});
    expect(journal.status).toBe(200);
    expect(journal.json.entries).toHaveLength(8);
    for (const entry of journal.json.entries) {
      expect(entry.multipart.resources.unread).toHaveLength(64 * 1024);
      expect(entry.multipart.resources.length).toBe(count * (LONG_STRING.length + 1) + 1);
    }
    expect(journal.text.length).toBeLessThan(8 * 70 * 1024);
  });
});
