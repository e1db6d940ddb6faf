/**
 * A web `Request` over a node:http request, for the simulator: the body as a web
 * stream with back-pressure, an abort signal only when asked for, and the URL
 * and origin read safely from whatever the client sent.
 */
import type { IncomingMessage } from "node:http";
import { concatBytes } from "../core/bytes.js";

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
      // HTTP/1.1 framing (RFC 9112 §6.3): without Content-Length or Transfer-Encoding a request has no body.
      const framed =
        this.req.headers["content-length"] !== undefined || this.req.headers["transfer-encoding"] !== undefined;
      this._body = m === "GET" || m === "HEAD" || !framed ? null : bodyStream(this.req);
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

export function toRequest(req: IncomingMessage, origin: string, signal: (() => AbortSignal) | undefined): Request {
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
export function originOf(hostHeader: string | undefined, fallback: string): string {
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
