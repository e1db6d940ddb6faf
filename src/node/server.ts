/**
 * The HTTP adapter: bridges node:http to the simulator's `handle(Request)`,
 * streaming request and response bodies. No Cloud Controller rule lives here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
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

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    signal,
    // Required by undici for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const setCookie = response.headers.getSetCookie?.();
  if (setCookie?.length) headers["set-cookie"] = setCookie;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
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
  const server = createServer(async (req, res) => {
    const started = performance.now();
    const abort = new AbortController();
    let aborted = false;
    res.on("close", () => {
      // The connection closed before the whole answer was written: the client went away.
      if (!res.writableEnded) {
        aborted = true;
        abort.abort();
      }
    });
    const hostHeader = req.headers.host ?? `${host}:${(server.address() as AddressInfo).port}`;
    try {
      const request = toRequest(req, `http://${hostHeader}`, abort.signal);
      const response = await sim.handle(request);
      // A network error (the connection-reset scenario, msw's HttpResponse.error()): drop the connection.
      if (response.type === "error") res.destroy();
      else if (!res.destroyed) await writeResponse(res, response);
    } catch {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(400, { "Content-Type": "text/plain" });
        res.end("mock-packages: the request could not be read\n");
      } else res.destroy();
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
