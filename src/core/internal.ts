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

export const ANSWER = Symbol("mock-packages.answer");

export interface SimulatorInternals extends Simulator {
  readonly [ANSWER]: (request: Request) => Promise<Answer>;
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
