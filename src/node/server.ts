/**
 * The HTTP adapter: bridges node:http to the simulator, streaming request and
 * response bodies. No Cloud Controller rule lives here, and no answer is made
 * up here: every status, header and body comes from the core.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { concatBytes } from "../core/bytes.js";
import type { Answer } from "../core/http/answer.js";
import { answererOf } from "../core/internal.js";
import type { Simulator } from "../core/simulator.js";

export interface ServeOptions {
  simulator: Simulator;
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is reachable from this machine only unless told otherwise. */
  host?: string;
  /** Called once per answered request, for a log line. */
  onRequest?: (entry: { method: string; path: string; status: number; ms: number; aborted: boolean }) => void;
}

export interface RunningServer {
  /** `http://host:port`, with the real port when 0 was asked for. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * The request body as a web stream, with back-pressure. Not `Readable.toWeb(req)`: on Node 20 its
 * 'data' listener throws an uncaught ERR_INVALID_STATE ("Controller is already closed") when the
 * stream is cancelled while the socket still has body bytes buffered, which kills the process (any
 * body answered before its end: a chunked 413, a malformed multipart part); and its cancel destroys
 * the socket, so that answer never reaches the client. Here a cancel discards the rest of the body
 * (as Node does for a body nobody read), so the answer is delivered and the connection stays usable,
 * and a client that goes away mid-body errors the stream, so that readers stop waiting.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const finish = (error?: Error) => {
    if (!open) return;
    open = false;
    if (error) controller.error(error);
    else controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.on("data", (chunk: Buffer) => {
          if (!open) return; // cancelled: the rest of the body is read and dropped
          // No copy: node:http hands out a fresh Buffer for each chunk, and the parser copies what it keeps.
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once("end", () => finish());
        req.on("error", (error) => finish(error));
        // 'close' before 'end': the client went away mid-body.
        req.once("close", () =>
          finish(new Error("mock-packages: the connection closed before the request body ended")),
        );
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        open = false;
        req.resume();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/** An AbortSignal that never aborts, for requests that get none of their own. */
const NEVER = new AbortController().signal;

/**
 * A web `Request` over a node:http request, built lazily: the URL, the Headers
 * and the body stream are made when the core first reads them, so a GET costs
 * little more than on bare node:http. Anything else a Request offers is served
 * by a real Request made on demand (`materialize`).
 */
class NodeRequest {
  private _headers: Headers | undefined;
  private _body: ReadableStream<Uint8Array> | null | undefined;
  private _real: Request | undefined;

  constructor(
    private readonly req: IncomingMessage,
    readonly url: string,
    private readonly signalOf: (() => AbortSignal) | undefined,
  ) {}

  get method(): string {
    return this.req.method ?? "GET";
  }

  get headers(): Headers {
    if (!this._headers) {
      const headers = new Headers();
      const raw = this.req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      this._headers = headers;
    }
    return this._headers;
  }

  get signal(): AbortSignal {
    return this.signalOf?.() ?? NEVER;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this._body === undefined) {
      const m = this.method;
      this._body = m === "GET" || m === "HEAD" ? null : bodyStream(this.req);
    }
    return this._body;
  }

  get bodyUsed(): boolean {
    return this._body != null && this._body.locked;
  }

  private materialize(): Request {
    if (!this._real) {
      this._real = new Request(this.url, {
        method: this.method,
        headers: this.headers,
        body: this.body,
        ...(this.signalOf ? { signal: this.signalOf() } : {}),
        duplex: "half",
      } as RequestInit);
    }
    return this._real;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.body;
    if (!body) return new ArrayBuffer(0);
    const chunks: Uint8Array[] = [];
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return concatBytes(chunks).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  formData(): Promise<FormData> {
    return this.materialize().formData();
  }

  blob(): Promise<Blob> {
    return this.materialize().blob();
  }

  clone(): Request {
    return this.materialize().clone();
  }
}
// `request instanceof Request` holds, and whatever NodeRequest does not define falls back to Request's own.
Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);

function toRequest(req: IncomingMessage, origin: string, signal: (() => AbortSignal) | undefined): Request {
  return new NodeRequest(req, requestUrl(req.url ?? "/", origin), signal) as unknown as Request;
}

/**
 * The absolute URL of a request target. Not `new URL(target, origin)`: a target of `//x/y` (an
 * origin-form path with an empty first segment) would be read as a URL of host `x`, and an invalid
 * one would throw. `origin` is `http://<Host header>`, or the listening address when that header is
 * missing or not a valid host.
 */
function requestUrl(target: string, origin: string): string {
  if (/^https?:\/\//i.test(target)) {
    // The absolute form (proxies send it): keep its path and query on our origin.
    try {
      const u = new URL(target);
      return new URL(origin + u.pathname + u.search).href;
    } catch {
      /* not a valid URL: read it as a path */
    }
  }
  const path = target.startsWith("/") ? target : `/${target}`;
  try {
    return new URL(origin + path).href;
  } catch {
    try {
      return new URL(origin + "/" + encodeURI(path.slice(1))).href;
    } catch {
      // Not even percent-encoding makes it a path: the core answers the root's 404 or whatever it decides.
      return new URL(origin + "/").href;
    }
  }
}

/** `http://<host>` from the Host header when it names a host (and nothing more), else from the listening address. */
function originOf(hostHeader: string | undefined, fallback: string): string {
  if (hostHeader) {
    try {
      const u = new URL(`http://${hostHeader}`);
      const named = hostHeader.toLowerCase();
      const same = u.host === named || `${u.host}:80` === named;
      if (same && u.pathname === "/" && !u.username && !u.password) return u.origin;
    } catch {
      /* fall through */
    }
  }
  return `http://${fallback}`;
}

/** Writes a core answer: a text body in one write with its length, a stream with back-pressure. */
async function writeAnswer(res: ServerResponse, answer: Answer): Promise<void> {
  const body = answer.body;
  if (typeof body === "string") {
    res.writeHead(answer.status, { ...answer.headers, "Content-Length": String(Buffer.byteLength(body)) });
    res.end(body);
    return;
  }
  res.writeHead(answer.status, answer.headers);
  await writeStream(res, body);
}

/** Writes a `Response` (a simulator other than the core's own, e.g. a wrapper a user wrote). */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const setCookie = response.headers.getSetCookie?.();
  if (setCookie?.length) headers["set-cookie"] = setCookie;
  res.writeHead(response.status, headers);
  await writeStream(res, response.body);
}

async function writeStream(res: ServerResponse, body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) {
    res.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve));
      if (res.destroyed) break;
    }
  } finally {
    reader.releaseLock();
    res.end();
  }
}

/** Starts the HTTP server. Resolves once it listens. */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const sim = options.simulator;
  const answerer = answererOf(sim);
  // The listening address and the origins of Host headers seen so far: worked out once, not per request.
  let listening: string | undefined;
  const origins = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const started = performance.now();
    // Only a request with a body can be left hanging on purpose (the timeout scenario): it gets a signal
    // that aborts when the client goes away. A signal costs time on every request, so GETs go without.
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    // Made only when the core asks for the signal (a hung upload): an AbortController costs time.
    let abort: AbortController | null = null;
    let gone = false;
    const signalOf = hasBody
      ? () => {
          if (!abort) {
            abort = new AbortController();
            if (gone) abort.abort();
          }
          return abort.signal;
        }
      : undefined;
    let aborted = false;
    res.on("close", () => {
      // The connection closed before the whole answer was written: the client went away.
      if (!res.writableEnded) {
        aborted = true;
        gone = true;
        abort?.abort();
      }
    });
    listening ??= `${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
    const hostHeader = req.headers.host;
    let origin = hostHeader === undefined ? undefined : origins.get(hostHeader);
    if (origin === undefined) {
      origin = originOf(hostHeader, listening);
      if (hostHeader !== undefined && origins.size < 100) origins.set(hostHeader, origin);
    }
    try {
      const request = toRequest(req, origin, signalOf);
      if (answerer) {
        const answer = await answerer(request);
        // No answer at all (the connection-reset scenario, a hung upload whose client left): drop the connection.
        if (answer.dropConnection) res.destroy();
        else if (!res.destroyed) await writeAnswer(res, answer);
      } else {
        const response = await sim.handle(request);
        if (response.type === "error") res.destroy();
        else if (!res.destroyed) await writeResponse(res, response);
      }
      // Answered before the body ended (a 413, a parse error, an early 4xx): read the rest and drop it,
      // so that the next request on this keep-alive connection is not stuck behind it. Node does this
      // itself only for a body nobody started to read.
      if (!req.complete && !req.destroyed) {
        req.removeAllListeners("data");
        req.resume();
      }
    } catch {
      // The simulator never rejects: this is the socket failing while an answer was written (the client
      // left mid-download, a stored file vanished). There is no one left to tell.
      res.destroy();
    } finally {
      options.onRequest?.({
        method: req.method ?? "GET",
        path: req.url ?? "/",
        status: res.statusCode,
        ms: performance.now() - started,
        aborted,
      });
    }
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4010, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
