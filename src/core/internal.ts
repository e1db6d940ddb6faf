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
