/**
 * A streaming `multipart/form-data` parser over web streams (RFC 7578, RFC 2046 §5.1).
 *
 * It never holds a whole part in memory: file content is handed to the caller
 * chunk by chunk, so an upload of any size can be written to storage as it
 * arrives. It works in any runtime with `ReadableStream` (Node, browsers,
 * service workers); it imports nothing from Node.
 */

const CR = 13;
const LF = 10;
const DASH = 45;
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Why a multipart body could not be parsed; the message is written for the person who sent it. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

export interface MultipartLimits {
  /** Largest size of one part's header block, in bytes. Default 16 KiB. */
  maxHeaderSize?: number;
  /** Most parts in one body. Default 1000. */
  maxParts?: number;
}

export interface PartHeaders {
  /** Header names are lower case. */
  readonly raw: ReadonlyMap<string, string>;
  /** `name` of the Content-Disposition, or null when the part has none. */
  readonly name: string | null;
  /** `filename` of the Content-Disposition; present (possibly empty) for file parts, null for fields. */
  readonly filename: string | null;
  readonly contentType: string | null;
}

export type MultipartEvent =
  { type: "part"; headers: PartHeaders } | { type: "data"; chunk: Uint8Array } | { type: "end-part" };

/** Reads `boundary` from a `multipart/*` content type; null when absent or not valid per RFC 2046. */
export function getBoundary(contentType: string): string | null {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = match ? (match[1] ?? match[2] ?? "") : "";
  if (boundary.length < 1 || boundary.length > 200) return null;
  return boundary;
}

/** Parses `key=value` parameters of a header such as Content-Disposition, with quoted strings and RFC 5987 `key*=`. */
export function parseHeaderParams(value: string): { value: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  const semi = value.indexOf(";");
  const head = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    const key = m[1]!.toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
    if (key.endsWith("*")) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (ext) {
        try {
          // RFC 5987 §3.2.1: ISO-8859-1 is decoded byte for byte, anything else as UTF-8.
          v = /^iso-8859-1$/i.test(ext[1]!)
            ? ext[2]!.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
            : decodeURIComponent(ext[2]!);
        } catch {
          /* keep the raw value: a bad escape is the client's to see */
        }
      }
      params.set(key.slice(0, -1), v);
    } else if (!params.has(key)) {
      params.set(key, v);
    }
  }
  return { value: head, params };
}

function parseHeaderBlock(block: Uint8Array): PartHeaders {
  // Header bytes are decoded as latin1 so that UTF-8 filenames sent raw (as browsers do) survive re-decoding.
  const text = latin1.decode(block);
  const raw = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError(`a part header line has no name: ${JSON.stringify(line.slice(0, 80))}`);
    raw.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const utf8 = (s: string) => {
    const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
    return new TextDecoder("utf-8").decode(bytes);
  };
  const disposition = raw.get("content-disposition");
  let name: string | null = null;
  let filename: string | null = null;
  if (disposition !== undefined) {
    const parsed = parseHeaderParams(utf8(disposition));
    name = parsed.params.get("name") ?? null;
    filename = parsed.params.get("filename") ?? null;
  }
  return { raw, name, filename, contentType: raw.get("content-type") ?? null };
}

/** Boyer-Moore-Horspool search for `needle` in `hay` from `from`; -1 when absent. */
function makeSearch(needle: Uint8Array): (hay: Uint8Array, from: number) => number {
  const n = needle.length;
  const skip = new Uint32Array(256).fill(n);
  for (let i = 0; i < n - 1; i++) skip[needle[i]!] = n - 1 - i;
  const last = needle[n - 1]!;
  return (hay, from) => {
    const end = hay.length;
    let i = from + n - 1;
    while (i < end) {
      const c = hay[i]!;
      if (c === last) {
        let j = n - 2;
        let k = i - 1;
        while (j >= 0 && hay[k] === needle[j]) {
          j--;
          k--;
        }
        if (j < 0) return k + 1;
      }
      i += skip[c]!;
    }
    return -1;
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === CR && buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i;
  }
  return -1;
}

type State = "preamble" | "after-delimiter" | "headers" | "body" | "done";

/**
 * A push parser: feed it chunks with {@link MultipartParser.write}, then call
 * {@link MultipartParser.end}. Each call returns the events the bytes completed.
 */
export class MultipartParser {
  private readonly delimiter: Uint8Array;
  private readonly search: (hay: Uint8Array, from: number) => number;
  private readonly maxHeaderSize: number;
  private readonly maxParts: number;
  private buffer: Uint8Array;
  private state: State = "preamble";
  private parts = 0;

  constructor(boundary: string, limits: MultipartLimits = {}) {
    // The delimiter is CRLF "--" boundary; a virtual CRLF before the body lets the first one match too.
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
    this.search = makeSearch(this.delimiter);
    this.maxHeaderSize = limits.maxHeaderSize ?? 16 * 1024;
    this.maxParts = limits.maxParts ?? 1000;
    this.buffer = Uint8Array.of(CR, LF);
  }

  get finished(): boolean {
    return this.state === "done";
  }

  write(chunk: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.state === "done") return events; // the epilogue is ignored (RFC 2046 §5.1.1)
    this.buffer = this.state === "body" ? this.joinBody(chunk, events) : concat(this.buffer, chunk);
    this.run(events);
    return events;
  }

  /**
   * In a part's body only the few bytes held back from the last chunk (fewer than a delimiter)
   * need joining to the new one, and only when a delimiter starts among them: otherwise they are
   * data, and the new chunk is searched as it is. A large upload is then never copied here, which
   * keeps the garbage collector out of the way (it was two copies of every chunk).
   */
  private joinBody(chunk: Uint8Array, events: MultipartEvent[]): Uint8Array {
    const held = this.buffer;
    if (held.length === 0) return chunk;
    // A delimiter that starts in the held bytes ends within d - 1 bytes of the chunk: only a chunk at
    // least that long tells whether one does.
    if (chunk.length < this.delimiter.length - 1) return concat(held, chunk);
    const seam = concat(held, chunk.subarray(0, this.delimiter.length - 1));
    const at = this.search(seam, 0);
    if (at !== -1 && at < held.length) return concat(held, chunk);
    events.push({ type: "data", chunk: held });
    return chunk;
  }

  end(): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.state !== "done") {
      this.run(events);
      if ((this.state as State) !== "done") {
        throw new MultipartError(
          this.state === "preamble"
            ? "the body holds no part: the boundary from the Content-Type header never appears in it"
            : "the body ended before the closing boundary: the request was truncated or the boundary is wrong",
        );
      }
    }
    return events;
  }

  private run(events: MultipartEvent[]): void {
    const d = this.delimiter.length;
    for (;;) {
      const buf = this.buffer;
      switch (this.state) {
        case "preamble": {
          const at = this.search(buf, 0);
          if (at === -1) {
            // Keep only what could still be the start of a delimiter.
            if (buf.length > d) this.buffer = buf.slice(buf.length - d + 1);
            return;
          }
          this.buffer = buf.subarray(at + d);
          this.state = "after-delimiter";
          continue;
        }
        case "after-delimiter": {
          // Transport padding (spaces, tabs) may follow a delimiter (RFC 2046 §5.1.1).
          let i = 0;
          while (i < buf.length && (buf[i] === 32 || buf[i] === 9)) i++;
          if (buf.length - i < 2) {
            // Drop the padding seen so far: kept, it would grow the buffer (and the cost of each
            // write) without bound, so that megabytes of spaces took quadratic time and memory.
            this.buffer = buf.subarray(i);
            return;
          }
          if (buf[i] === DASH && buf[i + 1] === DASH) {
            this.state = "done";
            this.buffer = new Uint8Array(0);
            return;
          }
          if (buf[i] !== CR || buf[i + 1] !== LF) {
            throw new MultipartError("a boundary line is followed by something other than a line break or '--'");
          }
          this.buffer = buf.subarray(i + 2);
          this.state = "headers";
          continue;
        }
        case "headers": {
          // An empty header block is legal: the part then starts right after one CRLF.
          if (buf.length >= 2 && buf[0] === CR && buf[1] === LF) {
            this.startPart(new Uint8Array(0), events);
            this.buffer = buf.subarray(2);
            continue;
          }
          const end = indexOfCrlfCrlf(buf, 0);
          if (end === -1) {
            // Up to 3 bytes at the end may be the start of the CRLFCRLF that ends the block: the
            // block is only known to be too large beyond them, whatever the chunks' sizes.
            if (buf.length - 3 > this.maxHeaderSize) {
              throw new MultipartError(`a part's headers are larger than ${this.maxHeaderSize} bytes`);
            }
            return;
          }
          if (end > this.maxHeaderSize) {
            throw new MultipartError(`a part's headers are larger than ${this.maxHeaderSize} bytes`);
          }
          this.startPart(buf.subarray(0, end), events);
          this.buffer = buf.subarray(end + 4);
          continue;
        }
        case "body": {
          const at = this.search(buf, 0);
          if (at === -1) {
            // Data is handed out as views of the input (nobody writes into them); what is held back is
            // copied, so that the chunk it came from is not kept alive.
            const keep = d - 1;
            if (buf.length > keep) {
              events.push({ type: "data", chunk: buf.subarray(0, buf.length - keep) });
              this.buffer = buf.slice(buf.length - keep);
            }
            return;
          }
          if (at > 0) events.push({ type: "data", chunk: buf.subarray(0, at) });
          events.push({ type: "end-part" });
          this.buffer = buf.subarray(at + d);
          this.state = "after-delimiter";
          continue;
        }
        case "done":
          return;
      }
    }
  }

  private startPart(block: Uint8Array, events: MultipartEvent[]): void {
    if (++this.parts > this.maxParts) throw new MultipartError(`the body has more than ${this.maxParts} parts`);
    events.push({ type: "part", headers: parseHeaderBlock(block) });
    this.state = "body";
  }
}
