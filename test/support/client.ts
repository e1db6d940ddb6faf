/**
 * One client for every test: in process (`sim.handle`), over HTTP, or through msw.
 * Every response it returns has been checked against spec/openapi.yaml; a response
 * the document does not allow fails the test that received it.
 *
 * The heavy modules are loaded on first use, not when a test file imports this one:
 * the contract (Prism) when the first response is checked, the Node server for the
 * first HTTP setup, msw for the first msw setup. With vitest's `isolate: false`
 * (vitest.config.ts) each is loaded once per worker.
 */
import { expect } from "vitest";
import { createSimulator, mintUserToken, type Simulator, type SimulatorOptions } from "../../src/index.js";
import type { Contract } from "../../src/contract/contract.js";

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: any;
  text: string;
  bytes: Uint8Array;
}

export interface CallInit extends Omit<RequestInit, "body" | "redirect"> {
  /** A fixture user name: a token is minted for it. */
  user?: string;
  /** A raw token (overrides `user`). */
  token?: string;
  body?: BodyInit | null;
  /** Skip the contract check (for tests of requests the document does not describe, such as unknown routes). */
  unchecked?: boolean;
  /**
   * `"manual"` answers a 3xx as it is; otherwise (as fetch does by default) the client follows it, checking
   * each answer against the contract, with a GET that carries no token (a download's 302 leads to the
   * signed blob URL, on another host in a real foundation).
   */
  redirect?: RequestRedirect;
}

export interface Client {
  readonly origin: string;
  call(path: string, init?: CallInit): Promise<Answer>;
}

const tokens = new Map<string, Promise<string>>();
export function tokenFor(user: string): Promise<string> {
  let t = tokens.get(user);
  if (!t) {
    t = mintUserToken(user);
    tokens.set(user, t);
  }
  return t;
}

async function toAnswer(response: Response): Promise<Answer> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  // A HEAD answer keeps the GET's JSON content type but has no body.
  if ((response.headers.get("content-type") ?? "").includes("json") && text !== "") json = JSON.parse(text);
  return { status: response.status, headers: response.headers, json, text, bytes };
}

let contract: Promise<Contract> | undefined;
/** spec/openapi.yaml as Prism reads it: imported and loaded on first use, then kept. */
export function theContract(): Promise<Contract> {
  contract ??= import("../../src/contract/contract.js").then((m) => m.loadContract());
  return contract;
}

/** Fails the current test when the answer breaks the contract. */
export async function expectContract(method: string, path: string, answer: Answer): Promise<void> {
  const contract = await theContract();
  const type = answer.headers.get("content-type") ?? "";
  const body = type.includes("json") ? answer.json : answer.text;
  const verdict = contract.checkResponse(method, path, { status: answer.status, headers: answer.headers, body });
  expect(
    verdict.violations,
    `${method} ${path} → ${answer.status} must match spec/openapi.yaml\n${answer.text.slice(0, 500)}`,
  ).toEqual([]);
}

/** A 3xx with somewhere to go (a download's 302 to its signed blob URL). */
const isRedirect = (a: Answer) => a.status >= 300 && a.status < 400 && a.status !== 304 && a.headers.has("location");

function makeClient(origin: string, send: (request: Request) => Promise<Response>): Client {
  const client: Client = {
    origin,
    async call(path, init = {}) {
      const { user, token, unchecked, redirect, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token ?? (user ? await tokenFor(user) : undefined);
      if (bearer !== undefined && !headers.has("authorization")) headers.set("authorization", `bearer ${bearer}`);
      const url = new URL(path, origin);
      const request = new Request(url, { ...rest, headers, redirect: "manual", duplex: "half" } as RequestInit);
      const answer = await toAnswer(await send(request));
      if (!unchecked) await expectContract(request.method, url.pathname, answer);
      if (redirect === "manual" || !isRedirect(answer)) return answer;
      // Followed as a client does when the blobstore is another host: a plain GET, without the token.
      return client.call(new URL(answer.headers.get("location")!, url).href, { unchecked, redirect: "manual" });
    },
  };
  return client;
}

export function inProcess(sim: Simulator): Client {
  return makeClient(sim.options.origin, (request) => sim.handle(request));
}

export function overHttp(baseUrl: string): Client {
  return makeClient(baseUrl, (request) => fetch(request));
}

export type Adapter = "in-process" | "http" | "msw";

/** Every adapter, for tests that must give the same answers through each. */
export const ADAPTERS: Adapter[] = ["in-process", "http", "msw"];

/** The origin msw-mode tests call; any origin works, this one shows it is not a real host. */
export const MSW_ORIGIN = "https://api.cf.example";

/**
 * A simulator with no processing delay, and a checked client for it: in process
 * (`sim.handle`), or over HTTP through the Node server on a free port with a
 * file store. `close()` stops whatever was started.
 */
export async function setup(
  options: SimulatorOptions = {},
  adapter: Adapter = "in-process",
): Promise<{ sim: Simulator; api: Client; close: () => Promise<void> }> {
  if (adapter === "in-process") {
    const sim = createSimulator({ processingDelay: 0, logger: () => {}, ...options });
    await sim.ready;
    return { sim, api: inProcess(sim), close: () => sim.close() };
  }
  if (adapter === "msw") {
    const [{ setupServer }, { createHandlers }] = await Promise.all([
      import("msw/node"),
      import("../../src/msw/index.js"),
    ]);
    const sim = createSimulator({ processingDelay: 0, logger: () => {}, origin: MSW_ORIGIN, ...options });
    await sim.ready;
    const server = setupServer(...createHandlers(sim, { origin: MSW_ORIGIN }));
    server.listen({ onUnhandledRequest: "error" });
    return {
      sim,
      api: makeClient(MSW_ORIGIN, (request) => fetch(request)),
      close: async () => {
        server.close();
        await sim.close();
      },
    };
  }
  const { createFileStore, serve } = await import("../../src/node/index.js");
  const store = createFileStore();
  const sim = createSimulator({ processingDelay: 0, logger: () => {}, store, ...options });
  await sim.ready;
  const running = await serve({ simulator: sim, port: 0 });
  return {
    sim,
    api: overHttp(running.url),
    close: async () => {
      await running.close();
      await sim.close();
      store.dispose();
    },
  };
}
