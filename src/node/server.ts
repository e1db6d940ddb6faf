/**
 * The HTTP adapter: bridges node:http to the simulator, streaming request and
 * response bodies. No Cloud Controller rule lives here, and no answer is made
 * up here: every status, header and body comes from the core.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Answer } from "../core/http/answer.js";
import { normalizeBasePath } from "../core/http/mount.js";
import { answererOf, mountAt, useUiFiles } from "../core/internal.js";
import { redactTarget } from "../core/journal/redact.js";
import type { Simulator } from "../core/simulator.js";
import { originOf, toRequest } from "./request.js";
import { packagedUiFiles } from "./ui-files.js";

export interface ServeOptions {
  simulator: Simulator;
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is reachable from this machine only unless told otherwise. */
  host?: string;
  /**
   * Serve the API under this path, e.g. `/api/cf` (`--base-path`): `GET /api/cf/v3/…`, the admin
   * API at `/api/cf/__mock/…`, and every link, `Location` and root document in the answers carries
   * the path. A request outside it answers `404 CF-NotFound` saying where the API is. Default: the root.
   */
  basePath?: string;
  /**
   * Called once per request, for a log line. `aborted`: the client went away before the whole
   * answer was written; `dropped`: the simulator answered by dropping the connection (the
   * connection-reset scenario, a hung upload whose client left), so no status was sent.
   */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** What `onRequest` hears of each request. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  aborted: boolean;
  dropped: boolean;
  /** The scenario that answered an upload, else null. */
  scenario: string | null;
}

export interface RunningServer {
  /** `http://host:port` and the base path, with the real port when 0 was asked for. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
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
  // A client that leaves ends the stream: an event stream would otherwise wait for its next event,
  // and a write waiting for "drain" on a closed socket would wait for ever.
  const gone = () => void reader.cancel().catch(() => {});
  res.once("close", gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
      if (res.destroyed) break;
    }
  } finally {
    res.off("close", gone);
    reader.releaseLock();
    res.end();
  }
}

/** Starts the HTTP server. Resolves once it listens. */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  // The listening address and the origins of Host headers seen so far: worked out once, not per request.
  let listening: string | undefined;
  const origins = new Map<string, string>();
  const originFor = (hostHeader: string | undefined) => {
    listening ??= `${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
    let origin = hostHeader === undefined ? undefined : origins.get(hostHeader);
    if (origin === undefined) {
      origin = originOf(hostHeader, listening);
      if (hostHeader !== undefined && origins.size < 100) origins.set(hostHeader, origin);
    }
    return origin;
  };
  let base: string;
  try {
    base = normalizeBasePath(options.basePath ?? "", "serve's basePath (--base-path)");
  } catch (error) {
    return Promise.reject(error);
  }
  // The dashboard (/__mock/ui/) is the HTTP server's: its files come from the package.
  const files = packagedUiFiles();
  if (files) useUiFiles(options.simulator, files);
  const answer = answerFor(options.simulator, base);
  const server = createServer((req, res) => void serveOne(req, res, originFor(req.headers.host), answer, options));
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4010, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}${base}`,
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

/** Answers a request on `res`; resolves with whether the connection was dropped and the scenario that answered. */
type Reply = (request: Request, res: ServerResponse) => Promise<{ dropped: boolean; scenario: string | null }>;

/** How the simulator's answer reaches the socket: as plain data from the core, or as a `Response`. */
function answerFor(sim: Simulator, base: string): Reply {
  const answerer = answererOf(sim);
  if (answerer) {
    return async (request, res) => {
      const answer = await answerer(mountAt(request, base));
      // No answer at all (the connection-reset scenario, a hung upload whose client left): drop the connection.
      const scenario = answer.scenario ?? null;
      if (answer.dropConnection) {
        res.destroy();
        return { dropped: true, scenario };
      }
      if (!res.destroyed) await writeAnswer(res, answer);
      return { dropped: false, scenario };
    };
  }
  return async (request, res) => {
    const response = await sim.handle(mountAt(request, base));
    if (response.type === "error") {
      res.destroy();
      return { dropped: true, scenario: null };
    }
    if (!res.destroyed) await writeResponse(res, response);
    return { dropped: false, scenario: null };
  };
}

/** One request: made into a web `Request`, answered, and logged. */
async function serveOne(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  reply: Reply,
  options: ServeOptions,
): Promise<void> {
  const started = performance.now();
  const client = watchClient(req, res);
  let dropped = false;
  let scenario: string | null = null;
  try {
    ({ dropped, scenario } = await reply(toRequest(req, origin, client.signalOf), res));
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
      // As the journal keeps it: a token in the query (`?access_token=…`) is not for the log.
      path: redactTarget(req.url ?? "/"),
      status: res.statusCode,
      ms: performance.now() - started,
      aborted: client.aborted() && !dropped,
      dropped,
      scenario,
    });
  }
}

/**
 * Whether the client went away before the whole answer was written, and, for a request with a
 * body, a signal that aborts then. Only such a request can be left hanging on purpose (the
 * timeout scenario); the AbortController is made only when the core asks for the signal, since
 * it costs time on every request.
 */
function watchClient(req: IncomingMessage, res: ServerResponse) {
  let abort: AbortController | null = null;
  let gone = false;
  res.on("close", () => {
    if (!res.writableEnded) {
      gone = true;
      abort?.abort();
    }
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const signalOf = hasBody
    ? () => {
        if (!abort) {
          abort = new AbortController();
          if (gone) abort.abort();
        }
        return abort.signal;
      }
    : undefined;
  return { signalOf, aborted: () => gone };
}
