/**
 * A server process's memory, as Linux counts it: for tests that bound what one request may
 * cost by measuring the process (never by timing).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { expectContract } from "./client.js";

/** The peak resident memory of a process since it started or since {@link resetPeak}, in MiB. */
export function peakMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Lowers a process's peak resident memory to what it uses now (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+). */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

export interface StreamedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Bytes of the body written before the answer came. */
  sent: number;
}

/**
 * Sends a body made chunk by chunk (chunked transfer encoding unless `content-length` is given),
 * as a client that streams a large body does, and stops writing as soon as the answer arrives:
 * the server may answer, and stop reading, long before the body ends.
 */
export async function streamRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; chunks: Iterable<Uint8Array> },
): Promise<StreamedAnswer> {
  const answer = await sendStreamed(url, init);
  // Every answer against spec/openapi.yaml, as the other clients of the tests check theirs.
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const type = headers.get("content-type") ?? "";
  await expectContract(init.method, new URL(url).pathname, {
    status: answer.status,
    headers,
    text: answer.text,
    bytes: new TextEncoder().encode(answer.text),
    json: type.includes("json") ? JSON.parse(answer.text) : undefined,
  });
  return answer;
}

function sendStreamed(
  url: string,
  init: { method: string; headers?: Record<string, string>; chunks: Iterable<Uint8Array> },
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const req = httpRequest(url, { method: init.method, headers: init.headers }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text, sent }));
      res.on("error", reject);
    });
    // The server may close while the rest of the body is still on its way: that is not a failure.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunks = init.chunks[Symbol.iterator]();
    const pump = (): void => {
      for (;;) {
        if (answered || req.destroyed) return void req.end();
        const next = chunks.next();
        if (next.done) return void req.end();
        sent += next.value.length;
        if (!req.write(next.value)) return void req.once("drain", pump);
      }
    };
    pump();
  });
}
