/**
 * What the core offers its own adapters and nobody else: a simulator's answers
 * as plain data (`http/answer.ts`), under a symbol that is not exported from
 * the package. The Node server writes a text answer to the socket in one write
 * instead of reading it back out of a `Response`'s stream. And a mark for the
 * requests msw answers inside the page (or process) that sent them, which no
 * other site can send: the admin API takes them whatever their `Origin`.
 */
import type { Answer } from "./http/answer.js";
import type { Simulator } from "./simulator.js";
import type { UiFiles } from "./routes/dashboard.js";

export const ANSWER = Symbol("mock-packages.answer");
/** How the HTTP server gives a simulator the dashboard's files (`/__mock/ui/`), read from the package. */
export const USE_UI_FILES = Symbol("mock-packages.use-ui-files");

export interface SimulatorInternals extends Simulator {
  readonly [ANSWER]: (request: Request) => Promise<Answer>;
  [USE_UI_FILES](files: UiFiles): void;
}

/** Gives a simulator made by `createSimulator` the dashboard's files; false for any other object. */
export function useUiFiles(simulator: Simulator, files: UiFiles): boolean {
  const use = (simulator as Partial<SimulatorInternals>)[USE_UI_FILES];
  if (typeof use !== "function") return false;
  use.call(simulator, files);
  return true;
}

/** The plain-data answerer of a simulator made by `createSimulator`, or null for any other object. */
export function answererOf(simulator: Simulator): ((request: Request) => Promise<Answer>) | null {
  return (simulator as Partial<SimulatorInternals>)[ANSWER] ?? null;
}

const inPage = new WeakSet<Request>();

/** Marks a request that never left the page or process that sent it (msw's handlers). */
export function markInPage(request: Request): Request {
  inPage.add(request);
  return request;
}

/** Whether an adapter marked this request as sent from inside the page or process. */
export function isInPage(request: Request): boolean {
  return inPage.has(request);
}

const mounts = new WeakMap<Request, string>();

/**
 * Marks a request as sent to the API served under a path (`/api/cf` from `--base-path` or msw's
 * `baseUrl`, then `/sandboxes/ID` for a sandbox reached by its prefix): the routes see the path
 * without it, and every link, `Location` and root document of the answer carries it. A mark, not a
 * new Request: the Node adapter's requests are lazy objects whose body and signal must stay theirs.
 */
export function mountAt(request: Request, base: string): Request {
  if (base !== "") mounts.set(request, base);
  return request;
}

/** The path the API of this request is served under (`""` at the root). */
export function mountOf(request: Request): string {
  return mounts.get(request) ?? "";
}

const refusals = new WeakMap<Request, Error>();

/**
 * Marks a request that no sandbox can take (two ways of naming one disagree, the one named does
 * not exist): the default sandbox answers it with this error, through its CORS, request ids and journal.
 */
export function refuseWith(request: Request, error: Error): Request {
  refusals.set(request, error);
  return request;
}

/** The error a request was refused with before any route, or undefined. */
export function refusalOf(request: Request): Error | undefined {
  return refusals.get(request);
}
