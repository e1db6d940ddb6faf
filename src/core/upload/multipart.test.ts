import { describe, expect, it } from "vitest";
import { MultipartError, MultipartParser, type MultipartLimits, type MultipartEvent } from "./multipart.js";

const B = "XyZ-b0undary";

/** Bytes of strings (as latin1, one byte per char code) and byte arrays, concatenated. */
function bytes(...parts: Array<string | Uint8Array>): Uint8Array {
  const arrays = parts.map((p) => (typeof p === "string" ? Uint8Array.from(p, (c) => c.charCodeAt(0)) : p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) out.set(a, (at += a.length) - a.length);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");

interface Part {
  name: string | null;
  filename: string | null;
  contentType: string | null;
  raw: Record<string, string>;
  /** The part's content, one char per byte: compared as a string, fast. */
  body: string;
}

/** Parses a body fed as these chunks; the parts with their data joined. Checks the order of events. */
function parse(chunks: Uint8Array[], boundary = B, limits?: MultipartLimits): Part[] {
  const parser = new MultipartParser(boundary, limits);
  const events: MultipartEvent[] = [];
  for (const chunk of chunks) events.push(...parser.write(chunk));
  events.push(...parser.end());
  const parts: Part[] = [];
  let data: string[] | null = null;
  for (const e of events) {
    if ((e.type === "part") !== (data === null)) throw new Error(`event '${e.type}' out of order`);
    if (e.type === "part") {
      const { name, filename, contentType, raw } = e.headers;
      parts.push({ name, filename, contentType, raw: Object.fromEntries(raw), body: "" });
      data = [];
    } else if (e.type === "data") {
      if (e.chunk.length === 0) throw new Error("empty data event");
      data!.push(latin1(e.chunk));
    } else {
      parts.at(-1)!.body = data!.join("");
      data = null;
    }
  }
  if (data !== null || !parser.finished) throw new Error("the last part never ended");
  return parts;
}

/** The bodies of the parts. */
const bodies = (chunks: Uint8Array[], boundary = B) => parse(chunks, boundary).map((p) => p.body);

/** The body cut at these offsets. */
const cut = (body: Uint8Array, ...offsets: number[]) =>
  [0, ...offsets, body.length].slice(1).map((end, i, ends) => body.slice(i === 0 ? 0 : ends[i - 1], end));

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MultipartError);
    expect((error as Error).name).toBe("MultipartError");
    return (error as Error).message;
  }
  throw new Error("no MultipartError");
}

/** Every byte value, then bytes that look like the start of a delimiter without being one. */
const BINARY = bytes(
  Uint8Array.from({ length: 256 }, (_, i) => i),
  `--${B}\r\n`,
  `\r\n--${B.slice(0, -1)}\r\n-\r\n--\r\r\n-${B}\r\n`,
  "\r",
);

const BODY = bytes(
  `preamble, with --${B} in it\r\n--${B}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n[]\r\n`,
  `--${B}\r\nContent-Disposition: form-data; name="bits"; filename="package.zip"\r\n`,
  "Content-Type: application/octet-stream\r\n\r\n",
  BINARY,
  `\r\n--${B}--\r\nepilogue\r\n--${B}\r\nnot a part`,
);

const EXPECTED: Part[] = [
  {
    name: "resources",
    filename: null,
    contentType: null,
    raw: { "content-disposition": 'form-data; name="resources"' },
    body: "[]",
  },
  {
    name: "bits",
    filename: "package.zip",
    contentType: "application/octet-stream",
    raw: {
      "content-disposition": 'form-data; name="bits"; filename="package.zip"',
      "content-type": "application/octet-stream",
    },
    body: latin1(BINARY),
  },
];

describe("MultipartParser: chunking", () => {
  it("parses the body in one chunk", () => {
    expect(parse([BODY])).toEqual(EXPECTED);
  });

  it("parses the body cut in two at every offset, and one byte at a time", () => {
    const want = JSON.stringify(EXPECTED);
    const wrong = Array.from({ length: BODY.length + 1 }, (_, i) => i).filter(
      (i) => JSON.stringify(parse(cut(BODY, i))) !== want,
    );
    expect(wrong, "offsets where the parts differ").toEqual([]);
    expect(parse(cut(BODY, ...Array.from({ length: BODY.length - 1 }, (_, i) => i + 1)))).toEqual(EXPECTED);
  });

  it("parses a body cut in three at every pair of offsets", () => {
    const small = bytes(`--${B}\r\nX: 1\r\n\r\na\r\n--${B}\r\n\r\n\r\n-\r\n--${B}--`);
    const want = JSON.stringify([
      { name: null, filename: null, contentType: null, raw: { x: "1" }, body: "a" },
      { name: null, filename: null, contentType: null, raw: {}, body: "\r\n-" },
    ]);
    const wrong: string[] = [];
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++)
        if (JSON.stringify(parse(cut(small, i, j))) !== want) wrong.push(`${i},${j}`);
    }
    expect(wrong, "pairs of offsets where the parts differ").toEqual([]);
  });

  it("hands on a part's data as it arrives, holding back only what could start a delimiter", () => {
    const parser = new MultipartParser(B);
    const head = parser.write(bytes(`--${B}\r\nContent-Disposition: form-data; name="bits"\r\n\r\n`, "x".repeat(1000)));
    const held = `\r\n--${B}`.length - 1;
    expect(head.map((e) => (e.type === "data" ? e.chunk.length : e.type))).toEqual(["part", 1000 - held]);
    // The bytes held back last time go on now, with all of this chunk but its last `held` bytes
    // (as one event or two: the parser does not copy a chunk to join them).
    const next = parser.write(bytes("y".repeat(1000)));
    expect(next.every((e) => e.type === "data")).toBe(true);
    expect(next.reduce((n, e) => n + (e.type === "data" ? e.chunk.length : 0), 0)).toBe(1000);
    const tail = parser.write(bytes(`\r\n--${B}--`));
    expect(tail.map((e) => (e.type === "data" ? e.chunk.length : e.type))).toEqual([held, "end-part"]);
    expect(parser.finished).toBe(true);
    expect(parser.end()).toEqual([]);
  });
});

describe("MultipartParser: framing", () => {
  it("ignores the epilogue, and writes after the close", () => {
    const parser = new MultipartParser(B);
    parser.write(bytes(`--${B}\r\n\r\nbody\r\n--${B}--`));
    expect(parser.finished).toBe(true);
    expect(parser.write(bytes(`\r\n--${B}\r\n\r\nmore\r\n--${B}--`))).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it("takes a first boundary at the very start, transport padding, and a close without CRLF", () => {
    expect(bodies([bytes(`--${B} \t \r\n\r\none\r\n--${B}\t\r\n\r\ntwo\r\n--${B}  --`)])).toEqual(["one", "two"]);
  });

  it("keeps a CR or CRLF that ends a part's content, and an empty part", () => {
    const body = bytes(`--${B}\r\n\r\na\r\r\n--${B}\r\n\r\n\r\n\r\n--${B}\r\n\r\n\r\n--${B}--`);
    expect(bodies([body])).toEqual(["a\r", "\r\n", ""]);
  });

  it("finds a one-character boundary and a boundary of dashes among look-alikes", () => {
    expect(bodies([bytes("--a\r\n\r\naa-a--a\r-a\n--a\r\n--a--")], "a")).toEqual(["aa-a--a\r-a\n--a"]);
    expect(bodies([bytes("------\r\n\r\n-----\r\n-----x\r\n--------")], "----")).toEqual(["-----\r\n-----x"]);
  });

  it("works with a boundary of 70 and of 200 characters", () => {
    for (const n of [70, 200]) {
      const b = "'()+_,-./:=?".repeat(20).slice(0, n);
      const body = bytes(`--${b}\r\n\r\nx\r\n--${b.slice(0, -1)}\r\n--${b}--`);
      for (let i = 0; i <= body.length; i += 7) {
        expect(bodies(cut(body, i), b)).toEqual([`x\r\n--${b.slice(0, -1)}`]);
      }
    }
  });

  it("refuses a boundary line followed by anything but CRLF or --", () => {
    const message = "a boundary line is followed by something other than a line break or '--'";
    for (const body of [`--${B}x\r\n`, `--${B}-x`, `--${B} x\r\n`, `--${B}\n\r\n`]) {
      expect(
        failure(() => parse([bytes(body)])),
        body,
      ).toBe(message);
    }
  });
});

describe("MultipartParser: part headers", () => {
  it("reads names in lower case, trims values, and keeps the last of a repeated header", () => {
    const [part] = parse([
      bytes(`--${B}\r\nCONTENT-TYPE :  text/plain; charset=utf-8 \r\nX-A: 1\r\nx-a: 2:3\r\n\r\nv\r\n--${B}--`),
    ]);
    expect(part).toEqual({
      name: null,
      filename: null,
      contentType: "text/plain; charset=utf-8",
      raw: { "content-type": "text/plain; charset=utf-8", "x-a": "2:3" },
      body: "v",
    });
  });

  it("gives a file part with an empty filename an empty string, a field null", () => {
    const disposition = (d: string) => parse([bytes(`--${B}\r\nContent-Disposition: ${d}\r\n\r\n\r\n--${B}--`)])[0];
    expect(disposition('form-data; name="bits"; filename=""')).toMatchObject({ name: "bits", filename: "" });
    expect(disposition('form-data; name="resources"')).toMatchObject({ name: "resources", filename: null });
    expect(disposition("form-data")).toMatchObject({ name: null, filename: null });
  });

  it("decodes a filename sent as raw UTF-8 bytes, as browsers send it", () => {
    const head = bytes(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="`, utf8("naïve €.zip"), '"');
    const [part] = parse([bytes(head, `\r\n\r\n\r\n--${B}--`)]);
    expect(part!.filename).toBe("naïve €.zip");
  });

  it("refuses a header line without a name", () => {
    const long = "x".repeat(100);
    expect(failure(() => parse([bytes(`--${B}\r\nno colon\r\n\r\n`)]))).toBe(
      'a part header line has no name: "no colon"',
    );
    expect(failure(() => parse([bytes(`--${B}\r\n: v\r\n\r\n`)]))).toBe('a part header line has no name: ": v"');
    expect(failure(() => parse([bytes(`--${B}\r\n${long}\r\n\r\n`)]))).toBe(
      `a part header line has no name: "${"x".repeat(80)}"`,
    );
  });
});

describe("MultipartParser: truncated and foreign bodies", () => {
  const NO_PART = "the body holds no part: the boundary from the Content-Type header never appears in it";
  const TRUNCATED = "the body ended before the closing boundary: the request was truncated or the boundary is wrong";

  it.each(["", "hello", `--${B.slice(1)}\r\n\r\nx\r\n`, `x--${B}\r\n\r\nx`])(
    "refuses %j as holding no part",
    (body) => {
      expect(failure(() => parse([bytes(body)]))).toBe(NO_PART);
    },
  );

  it.each([
    `--${B}`,
    `--${B}-`,
    `--${B}\r\n`,
    `--${B}\r\nContent-Type: text/plain\r\n`,
    `--${B}\r\n\r\ncontent`,
    `--${B}\r\n\r\ncontent\r\n--${B}`,
    `--${B}\r\n\r\ncontent\r\n--${B}\r\n`,
  ])("refuses %j as truncated", (body) => {
    expect(failure(() => parse([bytes(body)]))).toBe(TRUNCATED);
  });
});

describe("MultipartParser: limits", () => {
  const partsOf = (n: number) => bytes(...Array.from({ length: n }, () => `--${B}\r\n\r\nx\r\n`), `--${B}--`);

  it("takes at most maxParts parts", () => {
    expect(parse([partsOf(2)], B, { maxParts: 2 })).toHaveLength(2);
    expect(failure(() => parse([partsOf(3)], B, { maxParts: 2 }))).toBe("the body has more than 2 parts");
  });

  it("takes 1000 parts by default", () => {
    expect(parse([partsOf(1000)])).toHaveLength(1000);
    expect(failure(() => parse([partsOf(1001)]))).toBe("the body has more than 1000 parts");
  });

  it("refuses the part beyond the limit as soon as its headers end", () => {
    const parser = new MultipartParser(B, { maxParts: 1 });
    expect(parser.write(bytes(`--${B}\r\n\r\nx\r\n--${B}\r\n`)).map((e) => e.type)).toEqual([
      "part",
      "data",
      "end-part",
    ]);
    expect(failure(() => parser.write(bytes("\r\n")))).toBe("the body has more than 1 parts");
  });

  const headerOf = (size: number) => `X: ${"h".repeat(size - 3)}`;
  const withHeader = (size: number) => bytes(`--${B}\r\n${headerOf(size)}\r\n\r\nv\r\n--${B}--`);

  it("takes a header block of maxHeaderSize bytes and refuses one byte more", () => {
    expect(parse([withHeader(40)], B, { maxHeaderSize: 40 })[0]!.raw).toEqual({ x: "h".repeat(37) });
    expect(failure(() => parse([withHeader(41)], B, { maxHeaderSize: 40 }))).toBe(
      "a part's headers are larger than 40 bytes",
    );
  });

  it("judges the header block the same wherever the chunks are cut", () => {
    const body = withHeader(40);
    const head = `--${B}\r\n`.length;
    for (let i = head; i <= head + 44; i++) {
      expect(parse(cut(body, i), B, { maxHeaderSize: 40 })[0]!.raw, `cut at ${i}`).toEqual({ x: "h".repeat(37) });
    }
    const over = withHeader(41);
    for (let i = head; i <= head + 45; i++) {
      expect(
        failure(() => parse(cut(over, i), B, { maxHeaderSize: 40 })),
        `cut at ${i}`,
      ).toBe("a part's headers are larger than 40 bytes");
    }
  });

  it("takes 16 KiB of headers by default", () => {
    expect(parse([withHeader(16 * 1024)])).toHaveLength(1);
    expect(failure(() => parse([withHeader(16 * 1024 + 1)]))).toBe("a part's headers are larger than 16384 bytes");
  });

  it("refuses endless headers while they stream, without waiting for their end", () => {
    const parser = new MultipartParser(B, { maxHeaderSize: 100 });
    parser.write(bytes(`--${B}\r\nX: `));
    expect(failure(() => parser.write(bytes("h".repeat(200))))).toBe("a part's headers are larger than 100 bytes");
  });
});
