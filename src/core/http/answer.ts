/**
 * What the core answers, as plain data: a status, headers, and a body that is
 * text or a stream; or a dropped connection. `simulator.handle()` makes a web
 * `Response` of it for fetch callers and msw; an adapter that writes to a socket
 * (the Node server) can read it directly and send a text body in one write,
 * without the stream a `Response` builds up front.
 */
import type { CfError } from "../errors.js";

export interface Answer {
  status: number;
  /** Header names as the core writes them; each name appears once. */
  headers: Record<string, string>;
  body: string | ReadableStream<Uint8Array> | null;
  /** Drop the connection instead of answering: the client sees a network error (`Response.error()`). */
  dropConnection?: true;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON answer, serialised once. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** An answer with no body (202 with a Location, 204). */
export function empty(status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers, body: null };
}

/** The Cloud Controller's error envelope for a {@link CfError}. */
export function cfErrorAnswer(error: CfError): Answer {
  return json(error.status, error.toJSON());
}

/** No answer at all: the connection is dropped (the connection-reset scenario, a hung upload whose client left). */
export function dropConnection(): Answer {
  return { status: 0, headers: {}, body: null, dropConnection: true };
}

/** The web `Response` of an answer. */
export function toResponse(answer: Answer): Response {
  if (answer.dropConnection) return Response.error();
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
