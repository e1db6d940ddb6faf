/**
 * What the journal keeps of an answer: its headers and a prefix of its body, redacted. Text bodies
 * (JSON, the front end's HTML pages, the blobstore's XML) are kept up to their first 64 KiB;
 * streamed bodies (zip downloads) are not read, only their size is noted.
 */
import type { Answer } from "../http/answer.js";
import { JOURNAL_TEXT_PREFIX, type JournalResponse } from "./journal.js";
import { redactAnswerHeaders, redactJsonSecrets } from "./redact.js";

const encoder = new TextEncoder();

/** The journal's record of an answer; null when the connection was dropped (no answer was sent). */
export function recordAnswer(answer: Answer): JournalResponse | null {
  if (answer.dropConnection) return null;
  const headers = redactAnswerHeaders(answer.headers);
  const body = answer.body;
  if (body === null) return { headers, body: null, bodySize: 0 };
  if (typeof body !== "string") {
    const length = Number(headers["content-length"]);
    return { headers, body: null, bodySize: Number.isSafeInteger(length) ? length : null, streamed: true };
  }
  const kept = body.length > JOURNAL_TEXT_PREFIX ? body.slice(0, JOURNAL_TEXT_PREFIX) : body;
  return {
    headers,
    body: redactJsonSecrets(kept),
    ...(kept.length < body.length ? { bodyOmitted: body.length - kept.length } : {}),
    bodySize: encoder.encode(body).byteLength,
  };
}
