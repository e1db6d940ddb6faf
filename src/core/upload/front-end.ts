/**
 * The front end of the upload endpoint: what nginx and its upload module do
 * before the Cloud Controller sees the request (`capi-release:
 * jobs/cloud_controller_ng/templates/nginx_external_endpoints.conf.erb`, nginx-upload-module 2.3).
 *
 * The body is streamed: the `bits` file goes straight into the blob store,
 * hashed on the way, and is never held in memory whole. What comes out is
 * what the controller receives: the forwarded keys in request order
 * (`bits_name`, `bits_path`, `upload_start_time`, `resources`, or
 * `<ngx_upload_module_dummy>`), the `resources` text and the stored upload.
 */
import { concatBytes } from "../bytes.js";
import { CfError } from "../errors.js";
import { FrontEndError } from "../http/front-end-error.js";
import { JsonCounter, MAX_JSON_CONTAINERS } from "../http/json-budget.js";
import { MultipartError, MultipartParser, getBoundary, type MultipartEvent, type PartHeaders } from "./multipart.js";
import type { BlobInfo, BlobStore, BlobWriter } from "../blob-store.js";

export interface UploadForm {
  /** Keys of the form the controller receives, in request order. */
  keys: string[];
  /** The `resources` field's text, or null when none was sent. */
  resources: string | null;
  /** The stored `bits` file, or null when none was sent. */
  bits: (BlobInfo & { filename: string; contentType: string | null }) | null;
  /** Summary of every part, in order, for diagnostics. */
  parts: Array<{ name: string | null; filename: string | null; contentType: string | null; size: number }>;
  /** Bytes of the whole body. */
  bodySize: number;
  /** How deep the `resources` JSON nests (`[{}]` is 2), counted as it arrived; 0 without one. */
  resourcesDepth?: number;
  /** The Content-Type had no boundary, so no part could be read. */
  boundaryMissing?: boolean;
}

export interface UploadFormLimits {
  maxBodySize: number;
  /** Largest text field kept in memory. Default {@link MAX_FIELD_SIZE}. */
  maxFieldSize?: number;
  maxParts?: number;
  maxHeaderSize?: number;
}

const DUMMY = "<ngx_upload_module_dummy>";

/**
 * The largest text field (`resources`) the front end keeps in memory: 4 MiB, some 27,000 cf CLI
 * entries, while a client lists only the files the cache matched (64 KiB or more each), far fewer.
 * The bound is the simulator's own (the reference gives the real front end none for text
 * fields), answered in the front end's form, a 413 page, since it is reached before the
 * controller. Parsing 4 MiB of the worst JSON takes some 100 MiB and tens of ms.
 */
export const MAX_FIELD_SIZE = 4 * 1024 * 1024;

/** Reads and stores an upload body. On any error nothing is left in the store. */
export async function readUploadForm(
  request: Request,
  store: BlobStore,
  limits: UploadFormLimits,
): Promise<UploadForm> {
  const boundary = checkRequestLine(request, limits);
  if (boundary === null) {
    // Without a boundary no part can be found: the controller receives an empty form and answers
    // 422 `Upload must include either resources or bits` (what the seed document's curl sample gets).
    await drain(request, limits.maxBodySize);
    return { keys: [], resources: null, bits: null, parts: [], bodySize: 0, boundaryMissing: true };
  }
  if (request.body === null) throw new CfError("MessageParseError", "the multipart body is empty");
  const form = new FormCollector(store, limits.maxFieldSize ?? MAX_FIELD_SIZE);
  const parser = new MultipartParser(boundary, { maxParts: limits.maxParts, maxHeaderSize: limits.maxHeaderSize });
  const reader = request.body.getReader();
  let bodySize = 0;
  try {
    for (;;) {
      const { done, value } = await readChunk(reader);
      if (done) break;
      bodySize += value.length;
      if (bodySize > limits.maxBodySize) throw tooLarge(limits.maxBodySize);
      await form.take(parser.write(value));
    }
    await form.take(parser.end());
  } catch (error) {
    reader.cancel().catch(() => {});
    await form.discard();
    if (error instanceof MultipartError) throw new CfError("MessageParseError", error.message);
    throw error;
  }
  return form.result(bodySize);
}

/**
 * What nginx and its upload module refuse before reading the body: a `bits_path` in the query
 * (so that no client can point the controller at a file of its choosing), no Content-Type (400),
 * one that is not multipart (415), a declared length over `client_max_body_size` (413).
 * Answers the multipart boundary, or null when the Content-Type has none.
 */
function checkRequestLine(request: Request, limits: UploadFormLimits): string | null {
  if (new URL(request.url).searchParams.has("bits_path")) {
    throw new FrontEndError(
      422,
      "The URL's query has a bits_path parameter, which only the front end's upload module may set. Send the zip as the multipart file part 'bits' instead.",
    );
  }
  const contentType = request.headers.get("content-type");
  if (contentType === null || contentType.trim() === "") {
    throw new FrontEndError(
      400,
      "The request has no Content-Type header. Send the upload as multipart/form-data, e.g. curl -F bits=@app.zip -F resources='[]'.",
    );
  }
  if (!/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new FrontEndError(
      415,
      `Content-Type '${contentType}' is not multipart/form-data. The upload endpoint takes a multipart form with a 'bits' file part and/or a 'resources' field; a JSON body is not supported.`,
    );
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBodySize) {
    throw new FrontEndError(
      413,
      `The body is ${declared} bytes; the front end accepts at most ${limits.maxBodySize} bytes (client_max_body_size).`,
    );
  }
  return getBoundary(contentType);
}

const tooLarge = (max: number) =>
  new FrontEndError(
    413,
    `The body is larger than ${max} bytes, the most the front end accepts (client_max_body_size).`,
  );

async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch {
    throw new CfError(
      "MessageParseError",
      "the request body could not be read to the end: the client closed the connection or the stream failed",
    );
  }
}

interface PartInProgress {
  name: string | null;
  filename: string | null;
  contentType: string | null;
  size: number;
  /** The text of the `resources` field; null for any other part. */
  text: Uint8Array[] | null;
  /** Where a `bits` file goes; null for anything else. */
  writer: BlobWriter | null;
  /** What parsing the `resources` text will cost; null for anything else. */
  counter: JsonCounter | null;
}

/**
 * The form as the upload module forwards it, built from the parser's events: the `bits` file
 * into the store as it arrives, text fields in memory (up to a limit), every part summarised.
 */
class FormCollector {
  private readonly keys: string[] = [];
  private readonly parts: UploadForm["parts"] = [];
  private resources: string | null = null;
  private resourcesDepth = 0;
  private bits: UploadForm["bits"] = null;
  private readonly writers: BlobWriter[] = [];
  private readonly stored: BlobInfo[] = [];
  private current: PartInProgress | null = null;

  constructor(
    private readonly store: BlobStore,
    private readonly maxFieldSize: number,
  ) {}

  async take(events: MultipartEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type === "part") this.start(event.headers);
      else if (event.type === "data") await this.data(event.chunk);
      else await this.finishPart();
    }
  }

  /** Throws away what was stored: the request failed. */
  async discard(): Promise<void> {
    for (const w of this.writers) await w.abort();
    for (const info of this.stored) await this.store.delete(info.id);
  }

  result(bodySize: number): UploadForm {
    // Files other than bits were only counted, never stored. Nothing forwarded: the module's dummy key.
    const keys = this.keys.length ? this.keys : [DUMMY];
    return {
      keys,
      resources: this.resources,
      resourcesDepth: this.resourcesDepth,
      bits: this.bits,
      parts: this.parts,
      bodySize,
    };
  }

  private start(headers: PartHeaders): void {
    const { name, filename, contentType } = headers;
    const isFile = filename !== null && filename !== "";
    const writer = name === "bits" && isFile ? this.store.create() : null;
    if (writer) this.writers.push(writer);
    // Of the text fields only `resources` is kept (the controller reads no other): the rest are only counted.
    const kept = !isFile && name === "resources";
    const counter = kept ? new JsonCounter() : null;
    this.current = { name, filename, contentType, size: 0, text: kept ? [] : null, writer, counter };
  }

  private async data(chunk: Uint8Array): Promise<void> {
    const part = this.current;
    if (!part) return;
    part.size += chunk.length;
    if (part.writer) await part.writer.write(chunk);
    else if (part.text) {
      if (part.size > this.maxFieldSize) {
        throw new FrontEndError(
          413,
          `The form field '${part.name ?? ""}' is larger than ${this.maxFieldSize} bytes, the most the front end keeps of a text field. ` +
            "List only the files the resource match found (or none) in 'resources', and send the others in the 'bits' zip.",
        );
      }
      if (part.counter && !part.counter.feed(chunk)) {
        throw new FrontEndError(
          413,
          `The form field 'resources' holds ${part.counter.describe()}, the most the simulator parses ` +
            `(${MAX_JSON_CONTAINERS / 2} V3 entries). List only the files the resource match found (or none) ` +
            "in 'resources', and send the others in the 'bits' zip.",
        );
      }
      part.text.push(chunk);
    }
  }

  private async finishPart(): Promise<void> {
    const part = this.current;
    if (!part) return;
    this.current = null;
    this.parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, size: part.size });
    if (part.filename !== null && part.filename !== "") {
      // The upload module stores each file and forwards <field>_name, <field>_path and upload_start_time.
      const field = part.name ?? "";
      this.keys.push(`${field}_name`, `${field}_path`);
      if (!this.keys.includes("upload_start_time")) this.keys.push("upload_start_time");
      if (part.writer) {
        const info = await part.writer.finish();
        this.stored.push(info);
        if (this.bits) await this.store.delete(this.bits.id); // a repeated bits part: the last one wins
        this.bits = { ...info, filename: part.filename, contentType: part.contentType };
      }
    } else if (part.name === "resources") {
      // Of the text fields only `resources` and `_method` pass the upload module; the controller ignores `_method`.
      this.resources = new TextDecoder().decode(concatBytes(part.text ?? []));
      this.resourcesDepth = part.counter?.maxDepth ?? 0;
      this.keys.push("resources");
    }
  }
}

async function drain(request: Request, maxBodySize: number): Promise<void> {
  if (!request.body) return;
  const reader = request.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.length;
      if (size > maxBodySize) throw tooLarge(maxBodySize);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    if (error instanceof FrontEndError) throw error;
  }
}

export const NGX_DUMMY_KEY = DUMMY;
