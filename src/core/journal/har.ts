/**
 * The journal as an HTTP Archive, HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the
 * format browser devtools, Charles, Fiddler, Insomnia and k6 import. Credentials stay redacted as
 * the journal keeps them. What HAR has no field for travels in `_`-prefixed fields, which the
 * format allows: `_journalId`, `_scenario`, `_contract` (the verdict) and `_multipart` (the summary).
 */
import type { JournalEntry } from "./journal.js";

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: [];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: {
      mimeType: string;
      text?: string;
      params?: Array<{ name: string; fileName?: string; contentType?: string; value?: string }>;
    };
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: [];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; comment?: string };
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
    comment?: string;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  _journalId: number;
  _scenario: string | null;
  _contract: JournalEntry["contract"];
  _multipart: JournalEntry["multipart"];
}

export interface Har {
  log: { version: "1.2"; creator: { name: string; version: string }; entries: HarEntry[] };
}

const STATUS_TEXT: Record<number, string> = {
  0: "",
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const pairs = (record: Record<string, string>): HarNameValue[] =>
  Object.entries(record).map(([name, value]) => ({ name, value }));

function queryString(query: string): HarNameValue[] {
  if (query.length <= 1) return [];
  return [...new URLSearchParams(query.slice(1))].map(([name, value]) => ({ name, value }));
}

function postData(entry: JournalEntry): HarEntry["request"]["postData"] {
  const mimeType = entry.headers["content-type"] ?? "application/octet-stream";
  if (entry.multipart) {
    const params = entry.multipart.parts.map((part) => ({
      name: part.name ?? "",
      ...(part.filename !== null ? { fileName: part.filename } : {}),
      ...(part.contentType !== null ? { contentType: part.contentType } : {}),
      // The resources field is the one text part the journal keeps (as the controller read it).
      ...(part.name === "resources" && entry.multipart?.resources
        ? { value: JSON.stringify(entry.multipart.resources) }
        : {}),
    }));
    return { mimeType, params };
  }
  if (entry.body !== null) return { mimeType, text: entry.body };
  return undefined;
}

function requestBodySize(entry: JournalEntry): number {
  const length = Number(entry.headers["content-length"]);
  if (Number.isSafeInteger(length)) return length;
  if (entry.multipart) return entry.multipart.parts.reduce((sum, p) => sum + p.size, 0);
  return entry.body === null ? 0 : -1;
}

function response(entry: JournalEntry): HarEntry["response"] {
  const r = entry.response;
  const headers = r?.headers ?? {};
  const omitted =
    r?.streamed === true
      ? "body streamed (a zip): not kept in the journal"
      : r?.bodyOmitted
        ? `body cut to its first 64 KiB: ${r.bodyOmitted} characters left out`
        : undefined;
  return {
    status: entry.status,
    statusText: STATUS_TEXT[entry.status] ?? "",
    httpVersion: "HTTP/1.1",
    cookies: [],
    headers: pairs(headers),
    content: {
      size: r?.bodySize ?? -1,
      mimeType: headers["content-type"] ?? "x-unknown",
      ...(r?.body != null ? { text: r.body } : {}),
      ...(omitted ? { comment: omitted } : {}),
    },
    redirectURL: headers["location"] ?? "",
    headersSize: -1,
    bodySize: r?.bodySize ?? -1,
    ...(r === null ? { comment: "the connection was dropped: no answer was sent" } : {}),
  };
}

/**
 * The request's URL as an RFC 3986 URI (HAR asks for one): characters a URI may not hold, such
 * as the brackets of `[redacted]`, percent-encoded; `%` escapes already there stay.
 */
function harUrl(origin: string, entry: JournalEntry): string {
  const target = `${entry.path}${entry.query}`.replace(/[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/g, (c) =>
    encodeURIComponent(c),
  );
  return `${origin}${target}`;
}

/** One HAR entry for one journal entry. */
export function harEntry(entry: JournalEntry, origin: string): HarEntry {
  const data = postData(entry);
  return {
    startedDateTime: entry.time,
    time: entry.durationMs,
    request: {
      method: entry.method,
      url: harUrl(origin, entry),
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: pairs(entry.headers),
      queryString: queryString(entry.query),
      ...(data ? { postData: data } : {}),
      headersSize: -1,
      bodySize: requestBodySize(entry),
    },
    response: response(entry),
    cache: {},
    timings: { send: 0, wait: entry.durationMs, receive: 0 },
    _journalId: entry.id,
    _scenario: entry.scenario,
    _contract: entry.contract,
    _multipart: entry.multipart,
  };
}

/** The journal's entries as a HAR 1.2 log. */
export function toHar(entries: readonly JournalEntry[], origin: string): Har {
  return {
    log: {
      version: "1.2",
      creator: { name: "mock-packages", version: "1" },
      entries: entries.map((entry) => harEntry(entry, origin)),
    },
  };
}
