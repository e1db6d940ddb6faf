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
import { MultipartError, MultipartParser, getBoundary } from "./multipart.js";
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
  /** The Content-Type had no boundary, so no part could be read. */
  boundaryMissing?: boolean;
  /** The `resources` JSON once parsed, shared by the journal's summary and the controller's check 4. */
  parsedResources?: { value: unknown };
}

export interface UploadFormLimits {
  maxBodySize: number;
  /** Largest text field kept in memory. Default 64 MiB (5000 resource entries need about 1 MiB). */
  maxFieldSize?: number;
  maxParts?: number;
  maxHeaderSize?: number;
}

const DUMMY = "<ngx_upload_module_dummy>";

/** Reads and stores an upload body. On any error nothing is left in the store. */
export async function readUploadForm(
  request: Request,
  store: BlobStore,
  limits: UploadFormLimits,
): Promise<UploadForm> {
  // nginx_external_endpoints.conf.erb: a bits_path in the query is refused before anything else,
  // so that no client can point the controller at a file of its choosing.
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
  const boundary = getBoundary(contentType);
  if (boundary === null) {
    // Without a boundary no part can be found: the controller receives an empty form and answers
    // 422 `Upload must include either resources or bits` (what the seed document's curl sample gets).
    await drain(request, limits.maxBodySize);
    return { keys: [], resources: null, bits: null, parts: [], bodySize: 0, boundaryMissing: true };
  }
  if (request.body === null) {
    throw new CfError("MessageParseError", "the multipart body is empty");
  }

  const maxFieldSize = limits.maxFieldSize ?? 64 * 1024 * 1024;
  const parser = new MultipartParser(boundary, { maxParts: limits.maxParts, maxHeaderSize: limits.maxHeaderSize });
  const keys: string[] = [];
  const parts: UploadForm["parts"] = [];
  let resources: string | null = null;
  let bits: UploadForm["bits"] = null;
  const writers: BlobWriter[] = [];
  const stored: BlobInfo[] = [];

  // The part being read.
  let current: {
    name: string | null;
    filename: string | null;
    contentType: string | null;
    size: number;
    text: Uint8Array[] | null;
    writer: BlobWriter | null;
  } | null = null;
  let bodySize = 0;

  const finishPart = async () => {
    if (!current) return;
    const part = current;
    current = null;
    parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, size: part.size });
    const isFile = part.filename !== null && part.filename !== "";
    if (isFile) {
      // The upload module stores each file and forwards <field>_name, <field>_path and upload_start_time.
      const field = part.name ?? "";
      keys.push(`${field}_name`, `${field}_path`);
      if (!keys.includes("upload_start_time")) keys.push("upload_start_time");
      if (part.writer) {
        const info = await part.writer.finish();
        stored.push(info);
        if (bits) await store.delete(bits.id); // a repeated bits part: the last one wins
        bits = { ...info, filename: part.filename!, contentType: part.contentType };
      }
    } else if (part.name === "resources" || part.name === "_method") {
      // Of the text fields only these two pass the upload module.
      if (part.name === "resources") {
        const text = new TextDecoder().decode(concatBytes(part.text ?? []));
        resources = text;
        keys.push("resources");
      }
    }
  };

  const onEvents = async (events: ReturnType<MultipartParser["write"]>) => {
    for (const event of events) {
      if (event.type === "part") {
        const { name, filename, contentType: partType } = event.headers;
        const isBits = name === "bits" && filename !== null && filename !== "";
        let writer: BlobWriter | null = null;
        if (isBits) {
          writer = store.create();
          writers.push(writer);
        }
        current = {
          name,
          filename,
          contentType: partType,
          size: 0,
          text: isBits || (filename !== null && filename !== "") ? null : [],
          writer,
        };
      } else if (event.type === "data") {
        if (!current) continue;
        current.size += event.chunk.length;
        if (current.writer) await current.writer.write(event.chunk);
        else if (current.text) {
          if (current.size > maxFieldSize) {
            throw new CfError(
              "MessageParseError",
              `the form field '${current.name ?? ""}' is larger than ${maxFieldSize} bytes`,
            );
          }
          current.text.push(event.chunk);
        }
      } else {
        await finishPart();
      }
    }
  };

  const reader = request.body.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch {
        throw new CfError(
          "MessageParseError",
          "the request body could not be read to the end: the client closed the connection or the stream failed",
        );
      }
      const { done, value } = next;
      if (done) break;
      bodySize += value.length;
      if (bodySize > limits.maxBodySize) {
        throw new FrontEndError(
          413,
          `The body is larger than ${limits.maxBodySize} bytes, the most the front end accepts (client_max_body_size).`,
        );
      }
      await onEvents(parser.write(value));
    }
    await onEvents(parser.end());
  } catch (error) {
    reader.cancel().catch(() => {});
    for (const w of writers) await w.abort();
    for (const info of stored) await store.delete(info.id);
    if (error instanceof MultipartError) throw new CfError("MessageParseError", error.message);
    throw error;
  }
  // Files other than bits were only counted, never stored.
  if (keys.length === 0) keys.push(DUMMY);
  return { keys, resources, bits, parts, bodySize };
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
      if (size > maxBodySize) {
        throw new FrontEndError(
          413,
          `The body is larger than ${maxBodySize} bytes, the most the front end accepts (client_max_body_size).`,
        );
      }
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    if (error instanceof FrontEndError) throw error;
  }
}

export const NGX_DUMMY_KEY = DUMMY;
