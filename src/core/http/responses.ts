/**
 * Response helpers shared by every route: JSON bodies as the Cloud Controller sends them.
 */
import { CfError } from "../errors.js";

export const JSON_TYPE = "application/json; charset=utf-8";

/**
 * A JSON response's text, kept on the Response under this symbol so that an
 * adapter may write it without reading the body stream (a fast path, nothing more).
 */
export const RAW_BODY = Symbol.for("mock-packages.raw-body");

const encoder = new TextEncoder();

/**
 * A Response whose body is a string, made into bytes or a stream only when
 * read. A plain `new Response(text)` builds a body stream up front, which costs
 * ten times the rest of a small answer; this one is a real Response (msw, fetch
 * callers and `instanceof` see one) that defers the work.
 */
class TextResponse extends Response {
  readonly #text: string;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
    (this as Response & { [RAW_BODY]?: string })[RAW_BODY] = text;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!this.#stream) {
      const bytes = encoder.encode(this.#text);
      this.#stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return this.#stream as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  override get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  #take(): string {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#text;
  }

  override async text(): Promise<string> {
    return this.#take();
  }

  override async json(): Promise<any> {
    return JSON.parse(this.#take());
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return encoder.encode(this.#take()).buffer as ArrayBuffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return encoder.encode(this.#take());
  }

  override async blob(): Promise<Blob> {
    return new Blob([this.#take()], { type: this.headers.get("content-type") ?? "" });
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    return new TextResponse(this.#text, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new TextResponse(JSON.stringify(body), { status, headers: { "Content-Type": JSON_TYPE, ...headers } });
}

export function errorResponse(error: CfError, headers: Record<string, string> = {}): Response {
  return json(error.status, error.toJSON(), headers);
}
