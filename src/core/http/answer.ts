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
  /** The scenario that answered an upload, for an adapter's log line (as the journal records it). */
  scenario?: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON answer, serialised once. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/**
 * A JSON answer `{ <key>: [items…], …rest }` serialised a slice at a time as the client reads
 * it, so that a large list (the journal, up to its 64 MiB budget) never blocks the event loop
 * for long. Items are taken as they are now: later changes do not show.
 */
export function jsonList(
  status: number,
  key: string,
  items: readonly unknown[],
  rest: Record<string, unknown>,
): Answer {
  const encoder = new TextEncoder();
  const tail = JSON.stringify(rest).slice(1);
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = next === 0 ? `{${JSON.stringify(key)}:[` : "";
      const start = next;
      while (next < items.length && text.length < SLICE) text += (next > 0 ? "," : "") + JSON.stringify(items[next++]);
      if (next === items.length) {
        text += tail === "}" ? "]}" : `],${tail}`;
        controller.enqueue(encoder.encode(text));
        controller.close();
      } else if (next > start || text) controller.enqueue(encoder.encode(text));
    },
  });
  return { status, headers: { "Content-Type": JSON_TYPE }, body };
}

/** Characters of JSON serialised per slice of a {@link jsonList} answer. */
const SLICE = 256 * 1024;

/** An answer with no body (202 with a Location, 204). */
export function empty(status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers, body: null };
}

/**
 * The answer to a HEAD request (`Rack::Head`): the GET's status and headers, with the
 * `Content-Length` its body would have had when that is known, and no body.
 */
export function headAnswer(answer: Answer): Answer {
  const { body } = answer;
  if (body === null || answer.dropConnection) return answer;
  const headers = { ...answer.headers };
  if (typeof body === "string") {
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-length")) {
      headers["Content-Length"] = String(new TextEncoder().encode(body).byteLength);
    }
  } else void body.cancel().catch(() => {});
  return { ...answer, headers, body: null };
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
