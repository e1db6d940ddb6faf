/**
 * Requests sent as a real client puts them on the wire, with node:http: header names in
 * the client's own case, no header the client would not send (fetch adds `accept`,
 * `accept-language`, `sec-fetch-mode`, …), and a body sent with a `Content-Length` or,
 * as cf-java-client does past 8 KiB, with `Transfer-Encoding: chunked`. Every answer
 * is checked against spec/openapi.yaml, as support/client.ts does.
 */
import { request as httpRequest } from "node:http";
import { expectContract, type Answer } from "./client.js";

export interface WireRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Header names as the client spells them. */
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** Send the body with `Transfer-Encoding: chunked` in chunks of this many bytes, without a `Content-Length`. */
  chunked?: number;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

function answerOf(status: number, headers: Headers, bytes: Uint8Array): Answer {
  const text = new TextDecoder().decode(bytes);
  const json = (headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : undefined;
  return { status, headers, json, text, bytes };
}

/** Sends one request and answers what came back, without following redirects; the answer is checked against the contract. */
export async function sendWire(origin: string, wire: WireRequest): Promise<Answer> {
  const url = new URL(wire.path, origin);
  const body = typeof wire.body === "string" ? new TextEncoder().encode(wire.body) : wire.body;
  const headers: Record<string, string> = { ...wire.headers };
  if (body && wire.chunked) headers["Transfer-Encoding"] = "chunked";
  else if (body) headers["Content-Length"] = String(body.length);
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { method: wire.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(answerOf(res.statusCode ?? 0, toHeaders(res.headers), Buffer.concat(chunks))));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body && wire.chunked) {
      for (let i = 0; i < body.length; i += wire.chunked) req.write(body.subarray(i, i + wire.chunked));
    } else if (body) req.write(body);
    req.end();
  });
  await expectContract(wire.method, url.pathname, answer);
  return answer;
}
