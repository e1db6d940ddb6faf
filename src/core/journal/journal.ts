/**
 * The request journal: every request the simulator answers, with a summary
 * of its multipart parts and, when a contract checker is configured, a
 * verdict on the request against spec/openapi.yaml.
 */
import { toHar, type Har } from "./har.js";

export type { Har } from "./har.js";

/** The most of a text the journal keeps of a request: a JSON body, a `resources` field it did not parse. */
export const JOURNAL_TEXT_PREFIX = 64 * 1024;

export interface JournalBits {
  filename: string;
  contentType: string | null;
  size: number;
  sha256: string;
  /**
   * Entry names from the zip's central directory, in order; null when the bytes are not a zip.
   * At most 20,000 names and 2 MiB of them are kept: `entriesOmitted` counts the rest.
   */
  entries: string[] | null;
  entriesOmitted?: number;
}

export interface JournalMultipart {
  /** Every part in request order. */
  parts: Array<{ name: string | null; filename: string | null; contentType: string | null; size: number }>;
  bits: JournalBits | null;
  /**
   * The `resources` field as the controller read it (check 4): the parsed `entries`; or the text
   * when it is `invalid` JSON (its first 64 KiB); or, when the request failed before check 4 (a
   * missing token, …) or the text is over 1 MiB, the `unread` text's first 64 KiB and its `length`
   * in characters. Null when absent.
   */
  resources: { entries: unknown[] } | { invalid: string } | { unread: string; length: number } | null;
}

export interface ContractViolation {
  /** `path`, `query.per_page`, `header.content-type`, `body.resources[0].mode`, … */
  location: string;
  message: string;
}

/**
 * A request against the contract. `violations` lists at most 20 violations, in the
 * order they were found, then, when the checker left some out, one last line whose
 * message starts with "… and" and says what (`… and 5 more violations not listed`,
 * `… and more violations from body.resources[6] on: …`). The checker stops looking
 * once the list is full, so a request that breaks the contract a million times is
 * checked as fast as one that breaks it twenty times. A JSON body over 64 KiB is
 * checked only up to its first violation (`… and possibly more violations in the body`).
 */
export interface ContractVerdict {
  /** The matched operation's `operationId`; null when the document has none for the method and path. */
  operationId: string | null;
  /** True when `violations` is empty. */
  valid: boolean;
  violations: ContractViolation[];
}

/** What a route adds to the journal's view of its request, as it reads it. */
export interface RequestTrace {
  /** The scenario that answered an upload. */
  scenario: string | null;
  /** Summary of a multipart body the route read. */
  multipart: JournalMultipart | null;
  /** A JSON body the route read, as sent. */
  body: string | null;
}

export interface JournalEntry {
  /** 1, 2, 3 … in the order requests arrived. */
  id: number;
  /** When the request arrived, ISO 8601. */
  time: string;
  method: string;
  /** The path; path parameters that carry credentials (`;jsessionid=…`) are redacted. */
  path: string;
  /** The query with its `?`, or empty; credential parameters (`access_token`, `code`, …) are redacted. */
  query: string;
  /**
   * Request headers, names in lower case; every credential is redacted (`authorization`,
   * `cookie`, `x-api-key`, any name with `token`, `secret`, `password`, `session`, …),
   * keeping a scheme word (`bearer [redacted]`) and cookie names (`session=[redacted]`).
   */
  headers: Record<string, string>;
  /** Summary of a multipart body (uploads); null for other requests. */
  multipart: JournalMultipart | null;
  /** A JSON request body as sent (creates, updates, resource matches), its first 64 KiB; null when none was read. */
  body: string | null;
  /** Present when the body was longer than the journal keeps: how many characters were left out. */
  bodyOmitted?: number;
  /** The response status; 0 when the connection was dropped on purpose (connection-reset). */
  status: number;
  /** The answer's headers and body (its first 64 KiB, tokens redacted); null when the connection was dropped. */
  response: JournalResponse | null;
  /** The scenario that answered an upload, else null. */
  scenario: string | null;
  /** The request against the contract; null when no checker is configured. */
  contract: ContractVerdict | null;
  durationMs: number;
}

/**
 * What the journal keeps of an answer. Text bodies (JSON, HTML, XML) are kept up to their first
 * 64 KiB ({@link JOURNAL_TEXT_PREFIX}), with the values of secret keys (`access_token`,
 * `refresh_token`, …) redacted; streamed bodies (zip downloads) are not kept.
 */
export interface JournalResponse {
  /** Response headers, names in lower case; a signed `Location`'s `signature` redacted. */
  headers: Record<string, string>;
  /** The body's text, its first 64 KiB; null for no body or a streamed one. */
  body: string | null;
  /** Present when the body was longer than the journal keeps: how many characters were left out. */
  bodyOmitted?: number;
  /** The body's size in bytes; null when a streamed body gave no `Content-Length`. */
  bodySize: number | null;
  /** Present when the body was a stream (a zip download): not read, not kept. */
  streamed?: true;
}

/** A request as a contract checker sees it. */
export type CheckedRequest = Pick<JournalEntry, "method" | "path" | "query" | "headers" | "multipart" | "body"> & {
  /**
   * Whether the request came with a body stream (`request.body !== null`), which the
   * headers do not always say: a `Request` made in process has no `Content-Length`.
   * Absent: the checker decides from `Content-Length` and `Transfer-Encoding` alone.
   */
  bodySent?: boolean;
};

/**
 * What the simulator needs from a contract checker (see `mock-packages/contract`).
 * `checkRequest` runs synchronously as each request is recorded, so a checker must keep
 * its cost bounded by the size of the request: the one from `createContractChecker()`
 * lists at most 20 violations plus the one "… and" line (see `ContractVerdict`), and
 * stops checking once it has them.
 */
export interface RequestChecker {
  checkRequest(request: CheckedRequest): ContractVerdict;
}

export interface JournalQuery {
  method?: string;
  /** Exact path, or a RegExp. */
  path?: string | RegExp;
  status?: number;
  /** Only uploads (`POST /v3/packages/{guid}/upload`). */
  uploads?: boolean;
  /** Only entries whose request broke the contract. */
  violations?: boolean;
}

export interface Journal {
  /** Every entry, oldest first. */
  entries(): JournalEntry[];
  /** The entry of this id, unless it was dropped or cleared. */
  get(id: number): JournalEntry | undefined;
  /**
   * The journal as an HTTP Archive (HAR 1.2), which browser devtools and HTTP tools open. URLs are
   * built on `origin` (default: the simulator's `origin` option).
   */
  toHar(options?: { origin?: string }): Har;
  find(query?: JournalQuery): JournalEntry[];
  /** The uploads, oldest first. */
  uploads(): JournalEntry[];
  /** The most recent entry, if any. */
  last(): JournalEntry | undefined;
  /**
   * How many entries were dropped, oldest first, since the journal was created or last
   * cleared: past the most entries it keeps (`journalLimit`) or past its byte budget (`journalMaxBytes`).
   */
  dropped(): number;
  /** Whether requests get contract verdicts (the simulator was created with a contract checker). */
  readonly verdicts: boolean;
  clear(): void;
}

const UPLOAD_PATH = /^\/v3\/packages\/[^/]+\/upload\/?$/;

function matchesQuery(entry: JournalEntry, query: JournalQuery): boolean {
  if (query.method && entry.method !== query.method.toUpperCase()) return false;
  if (query.path !== undefined) {
    if (typeof query.path === "string" ? entry.path !== query.path : !query.path.test(entry.path)) return false;
  }
  if (query.status !== undefined && entry.status !== query.status) return false;
  if (query.uploads && !(entry.method === "POST" && UPLOAD_PATH.test(entry.path))) return false;
  if (query.violations && !(entry.contract && !entry.contract.valid)) return false;
  return true;
}

export interface JournalLimits {
  /** Most entries kept. */
  entries: number;
  /** Most bytes of entries kept, measured as their JSON (UTF-16 code units, as the heap holds them). */
  bytes: number;
  /** Whether entries carry contract verdicts. */
  verdicts?: boolean;
  /** The origin HAR URLs are built on unless told otherwise. Default `http://127.0.0.1:4010`. */
  origin?: string;
  /** Told of each entry as it is added (the live event stream). */
  onAdd?: (entry: JournalEntry) => void;
}

/**
 * The journal: entries in arrival order, the oldest dropped once either limit is passed. Each
 * entry's size is measured once, as its JSON, when it is added: whatever the requests, the
 * journal stays within its budget and `GET /__mock/journal` can always serialise it.
 */
export function createJournal(limits: JournalLimits): Journal & { add(entry: Omit<JournalEntry, "id">): JournalEntry } {
  // Dropping from the front is amortised O(1): a start index, and a compaction now and then.
  let entries: JournalEntry[] = [];
  let sizes: number[] = [];
  let start = 0;
  let next = 0;
  let bytes = 0;
  let dropped = 0;
  const live = () => (start === 0 ? entries : entries.slice(start));
  const dropOldest = () => {
    bytes -= sizes[start]!;
    start++;
    dropped++;
  };
  return {
    add(entry) {
      const full = { id: ++next, ...entry };
      const size = JSON.stringify(full).length;
      entries.push(full);
      sizes.push(size);
      bytes += size;
      limits.onAdd?.(full);
      while (entries.length > start && (entries.length - start > limits.entries || bytes > limits.bytes)) dropOldest();
      if (start > 1024 && start * 2 > entries.length) {
        entries = entries.slice(start);
        sizes = sizes.slice(start);
        start = 0;
      }
      return full;
    },
    entries: () => [...live()],
    get(id) {
      // Ids are consecutive from the first entry kept, so the position is known.
      const first = entries[start];
      if (first === undefined || !Number.isSafeInteger(id) || id < first.id) return undefined;
      return entries[start + id - first.id];
    },
    toHar: (options = {}) => toHar(live(), options.origin ?? limits.origin ?? "http://127.0.0.1:4010"),
    find: (query = {}) => live().filter((e) => matchesQuery(e, query)),
    uploads: () => live().filter((e) => matchesQuery(e, { uploads: true })),
    last: () => (entries.length > start ? entries[entries.length - 1] : undefined),
    dropped: () => dropped,
    verdicts: limits.verdicts ?? false,
    clear() {
      entries = [];
      sizes = [];
      start = 0;
      bytes = 0;
      dropped = 0;
    },
  };
}
