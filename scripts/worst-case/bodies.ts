/**
 * Hostile request bodies for `npm run worst-case`, streamed from generators: a
 * body of hundreds of MiB is sent chunk by chunk and never held by the script.
 * A {@link Source} knows its size up front, so every request has an exact
 * Content-Length (the same shape as `BigZip` in scripts/big-zip.ts, which is one).
 */

const MiB = 1024 * 1024;
const encode = (text: string) => new TextEncoder().encode(text);

/** Bytes to send: how many, and the chunks that make them. */
export interface Source {
  size: number;
  chunks(): AsyncGenerator<Uint8Array>;
}

/** A few bytes held in memory. */
export function bytes(content: Uint8Array | string): Source {
  const data = typeof content === "string" ? encode(content) : content;
  return {
    size: data.length,
    async *chunks() {
      yield data;
    },
  };
}

/**
 * `unit` written `count` times. One chunk of about 1 MiB of repeats is made once
 * and sent again and again: it is never changed, so that is safe and costs nothing.
 */
export function repeat(unit: string, count: number): Source {
  const one = encode(unit);
  const perChunk = Math.max(1, Math.floor(MiB / one.length));
  const chunk = new Uint8Array(perChunk * one.length);
  for (let i = 0; i < perChunk; i++) chunk.set(one, i * one.length);
  return {
    size: one.length * count,
    async *chunks() {
      for (let left = count; left > 0; left -= perChunk) {
        yield left >= perChunk ? chunk : chunk.subarray(0, left * one.length);
      }
    },
  };
}

/** Sources one after another. */
export function concat(...parts: Source[]): Source {
  return {
    size: parts.reduce((n, p) => n + p.size, 0),
    async *chunks() {
      for (const part of parts) yield* part.chunks();
    },
  };
}

/** A JSON array of `unit` repeated (`[{},{},…]`, `[1,1,…]`), at most `size` bytes. */
export function jsonArray(unit: string, size: number): Source {
  const count = Math.floor((size - 1) / (unit.length + 1));
  return concat(bytes(`[${unit}`), repeat(`,${unit}`, count - 1), bytes("]"));
}

/** Arrays nested inside each other, `[[[…]]]`, at most `size` bytes (valid JSON: it parses). */
export function nestedArrays(size: number): Source {
  const depth = Math.floor(size / 2);
  return concat(repeat("[", depth), repeat("]", depth));
}

/** A JSON array of one string of `x`s, `["xxx…"]`, exactly `size` bytes. */
export function oneLongString(size: number): Source {
  return concat(bytes('["'), repeat("x", size - 4), bytes('"]'));
}

/** `size` bytes of noise (xorshift; no two 1 MiB chunks alike): an upload's bits that are no zip. */
export function noise(size: number): Source {
  return {
    size,
    async *chunks() {
      let x = 0x9e3779b9;
      for (let sent = 0; sent < size; sent += MiB) {
        const words = new Uint32Array(Math.min(MiB, size - sent + 3) >> 2);
        for (let i = 0; i < words.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          words[i] = x >>> 0;
        }
        yield new Uint8Array(words.buffer).subarray(0, Math.min(MiB, size - sent));
      }
    },
  };
}

/** One part of a multipart form: a text field, or a file when it has a filename. */
export interface FormPart {
  name: string;
  filename?: string;
  body: Source;
}

/** A multipart/form-data body of `parts`, in order, as the cf CLI sends one. */
export function multipart(parts: FormPart[]): { contentType: string; body: Source } {
  const boundary = "worst-case-boundary-0123456789";
  const pieces: Source[] = [];
  for (const part of parts) {
    const file = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    const type = part.filename === undefined ? "" : "\r\nContent-Type: application/zip";
    pieces.push(bytes(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${file}${type}\r\n\r\n`));
    pieces.push(part.body, bytes("\r\n"));
  }
  pieces.push(bytes(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: concat(...pieces) };
}

/** The longest name a zip entry can have (its length is a 16-bit field). */
const LONGEST_NAME = 65_535;

/**
 * A zip of empty stored files whose names are each 65,535 bytes long (`entry-000001-nnnn…`),
 * about `size` bytes in all: half of it local headers, half the central directory, every
 * name twice. What the journal keeps of an upload is the zip's entry names.
 */
export function longNamesZip(size: number): Source {
  const count = Math.floor(size / (30 + 46 + 2 * LONGEST_NAME));
  const name = (i: number) => {
    const bytes = new Uint8Array(LONGEST_NAME).fill(0x6e); // "n"
    bytes.set(encode(`entry-${String(i).padStart(6, "0")}-`));
    return bytes;
  };
  const localSize = 30 + LONGEST_NAME;
  const centralSize = 46 + LONGEST_NAME;
  return {
    size: count * (localSize + centralSize) + 22,
    async *chunks() {
      for (let i = 0; i < count; i++) {
        const local = new Uint8Array(localSize);
        const v = new DataView(local.buffer);
        v.setUint32(0, 0x04034b50, true); // local file header; stored, sizes and CRC 0
        v.setUint16(4, 20, true);
        v.setUint16(26, LONGEST_NAME, true);
        local.set(name(i), 30);
        yield local;
      }
      for (let i = 0; i < count; i++) {
        const central = new Uint8Array(centralSize);
        const v = new DataView(central.buffer);
        v.setUint32(0, 0x02014b50, true); // central directory record, made on Unix
        v.setUint16(4, (3 << 8) | 20, true);
        v.setUint16(6, 20, true);
        v.setUint16(28, LONGEST_NAME, true);
        v.setUint32(38, (0o100644 << 16) >>> 0, true);
        v.setUint32(42, i * localSize, true);
        central.set(name(i), 46);
        yield central;
      }
      const end = new DataView(new ArrayBuffer(22));
      end.setUint32(0, 0x06054b50, true);
      end.setUint16(8, count, true);
      end.setUint16(10, count, true);
      end.setUint32(12, count * centralSize, true);
      end.setUint32(16, count * localSize, true);
      yield new Uint8Array(end.buffer);
    },
  };
}
