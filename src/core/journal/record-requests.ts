/**
 * The journal as a wrapper around the simulator's answers: every request
 * outside the admin API is recorded with what its route read (the multipart
 * summary, a JSON body, the scenario), its status, the answer's headers and body (a bounded
 * prefix, `answer-record.ts`) and duration, and, with a
 * contract checker, a verdict on the request. Credentials are redacted before
 * anything is kept or checked (`redact.ts`).
 */
import type { Answer } from "../http/answer.js";
import type { Log } from "../jobs/scheduler.js";
import {
  JOURNAL_TEXT_PREFIX,
  type ContractVerdict,
  type JournalEntry,
  type RequestChecker,
  type RequestTrace,
} from "./journal.js";
import { routePathOf } from "../http/mount.js";
import { mountOf } from "../internal.js";
import { recordAnswer } from "./answer-record.js";
import { redactHeaders, redactPath, redactQuery } from "./redact.js";

export type TracedHandler = (request: Request, trace: RequestTrace) => Promise<Answer>;

export interface RecordOptions {
  add(entry: Omit<JournalEntry, "id">): unknown;
  contract: RequestChecker | undefined;
  now(): number;
  log: Log;
}

export function recordRequests(next: TracedHandler, options: RecordOptions): (request: Request) => Promise<Answer> {
  return async (request) => {
    const trace: RequestTrace = { scenario: null, multipart: null, body: null };
    const url = new URL(request.url);
    // As the API sees it: without the path it is served under (a base path, a sandbox's prefix).
    const pathname = mountOf(request) === "" ? url.pathname : (routePathOf(request, url) ?? url.pathname);
    if (pathname.startsWith("/__mock/") || request.method === "OPTIONS") return next(request, trace);
    const started = options.now();
    // Read before the route runs: a route may consume the request.
    const headers = redactHeaders(request.headers);
    const path = redactPath(pathname);
    const query = redactQuery(url.search);
    const bodySent = request.body !== null;
    const answer = await next(request, trace);
    const body = trace.body === null ? null : trace.body.slice(0, JOURNAL_TEXT_PREFIX);
    const bodyOmitted = trace.body === null ? 0 : trace.body.length - body!.length;
    options.add({
      time: new Date(started).toISOString(),
      method: request.method.toUpperCase(),
      path,
      query,
      headers,
      multipart: trace.multipart,
      body,
      ...(bodyOmitted > 0 ? { bodyOmitted } : {}),
      status: answer.dropConnection ? 0 : answer.status,
      response: recordAnswer(answer),
      scenario: trace.scenario,
      contract: verdict(options, { method: request.method, path, query, headers, body, bodyOmitted, bodySent }, trace),
      durationMs: options.now() - started,
    });
    return trace.scenario === null ? answer : { ...answer, scenario: trace.scenario };
  };
}

function verdict(
  options: RecordOptions,
  request: Pick<JournalEntry, "method" | "path" | "query" | "headers" | "body"> & {
    bodyOmitted: number;
    bodySent: boolean;
  },
  trace: RequestTrace,
): ContractVerdict | null {
  if (!options.contract) return null;
  try {
    // A body cut short for the journal is not JSON any more: the checker gets it whole, or not at all.
    const body = request.bodyOmitted > 0 ? trace.body : request.body;
    const { bodyOmitted: _omitted, ...checked } = request;
    return options.contract.checkRequest({ ...checked, multipart: trace.multipart, body });
  } catch (error) {
    options.log("warn", "the contract checker failed", error);
    return null;
  }
}
