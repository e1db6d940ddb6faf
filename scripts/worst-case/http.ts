/**
 * Requests for `npm run worst-case`: one that streams a {@link Source} with an exact
 * Content-Length and notes what came back (status and size, or how the connection
 * broke), and small JSON calls for setting up.
 */
import { request } from "node:http";
import { bytes, type Source } from "./bodies.js";

export interface Sent {
  /** The status, or null when no answer came (the connection broke: see `error`). */
  status: number | null;
  /** Bytes of the answer's body. */
  bytes: number;
  /** The answer's body when asked for and smaller than 1 MiB. */
  text?: string;
  /** Why no answer came: ECONNRESET, EPIPE, "aborted", … */
  error?: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Source;
  /** Keep the answer's body (up to 1 MiB) in `text`. */
  keep?: boolean;
  /** Gives up at once when aborted (a shape timed out, or the server died). */
  signal?: AbortSignal;
}

const KEEP_AT_MOST = 1024 * 1024;

/** Sends one request on a connection of its own; never rejects. */
export function send(url: string, options: SendOptions = {}): Promise<Sent> {
  const { method = "GET", headers = {}, body, keep = false, signal } = options;
  return new Promise((resolve) => {
    let done = false;
    const finish = (sent: Sent) => {
      if (done) return;
      done = true;
      signal?.removeEventListener("abort", onAbort);
      resolve(sent);
    };
    const req = request(url, {
      method,
      agent: false,
      headers: body ? { ...headers, "content-length": String(body.size) } : headers,
    });
    const onAbort = () => {
      req.destroy();
      finish({ status: null, bytes: 0, error: "aborted" });
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort);
    req.on("error", (e: NodeJS.ErrnoException) => finish({ status: null, bytes: 0, error: e.code ?? e.message }));
    req.on("response", (res) => {
      let bytes = 0;
      const kept: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep && bytes <= KEEP_AT_MOST) kept.push(chunk);
      });
      res.on("error", () => finish({ status: res.statusCode ?? null, bytes, error: "answer cut short" }));
      res.on("end", () =>
        finish({
          status: res.statusCode ?? null,
          bytes,
          ...(keep && bytes <= KEEP_AT_MOST ? { text: Buffer.concat(kept).toString() } : {}),
        }),
      );
    });
    void writeBody(req, body);
  });
}

/** Streams the body, waiting for the socket to drain; stops when the request is gone. */
async function writeBody(req: ReturnType<typeof request>, body: Source | undefined): Promise<void> {
  try {
    if (body) {
      for await (const chunk of body.chunks()) {
        if (req.destroyed) return;
        if (!req.write(chunk)) {
          await new Promise<void>((r) => {
            const go = () => {
              req.off("drain", go);
              req.off("close", go);
              r();
            };
            req.on("drain", go);
            req.on("close", go);
          });
        }
      }
    }
    if (!req.destroyed) req.end();
  } catch {
    /* the request failed meanwhile: its 'error' says how */
  }
}

/** Sends a small request and parses a JSON answer (null when there is none); never rejects. */
export async function callJson(
  url: string,
  options: { method?: string; token?: string; json?: unknown; signal?: AbortSignal } = {},
): Promise<{ status: number | null; json: any; error?: string }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `bearer ${options.token}`;
  let body: Source | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = bytes(JSON.stringify(options.json));
  }
  const sent = await send(url, { method: options.method, headers, body, keep: true, signal: options.signal });
  let json: any = null;
  try {
    json = sent.text ? JSON.parse(sent.text) : null;
  } catch {
    /* not JSON */
  }
  return { status: sent.status, json, ...(sent.error ? { error: sent.error } : {}) };
}

/** What a request got, for the table: `401`, `no answer (ECONNRESET)`. */
export function answerOf(sent: Sent): string {
  return sent.status === null ? `no answer (${sent.error})` : String(sent.status);
}
