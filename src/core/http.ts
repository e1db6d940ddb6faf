/**
 * Response helpers shared by every route: JSON bodies as the Cloud Controller
 * sends them, and the front end's (nginx's) own error pages.
 */
import { CfError } from "./errors.js";

export const JSON_TYPE = "application/json; charset=utf-8";

/**
 * A JSON response's text, kept on the Response under this symbol so that an
 * adapter may write it without reading the body stream (a fast path, nothing more).
 */
export const RAW_BODY = Symbol.for("mock-packages.raw-body");

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const response = new Response(text, { status, headers: { "Content-Type": JSON_TYPE, ...headers } });
  (response as Response & { [RAW_BODY]?: string })[RAW_BODY] = text;
  return response;
}

export function errorResponse(error: CfError, headers: Record<string, string> = {}): Response {
  return json(error.status, error.toJSON(), headers);
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
};

/**
 * An error the front end (nginx and its upload module) answers before the
 * Cloud Controller sees the request. The real one sends an nginx HTML page,
 * not the CF envelope, and so does the simulator; the `X-Mock-Packages-Detail`
 * header and an HTML comment say what went wrong and what to do.
 */
export class FrontEndError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "FrontEndError";
  }

  toResponse(): Response {
    const line = `${this.status} ${REASONS[this.status] ?? "Error"}`;
    const html =
      `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n<center><h1>${line}</h1></center>\r\n` +
      `<hr><center>nginx</center>\r\n<!-- mock-packages: ${this.detail.replace(/--/g, "- -")} -->\r\n</body>\r\n</html>\r\n`;
    return new Response(html, {
      status: this.status,
      headers: { "Content-Type": "text/html", "X-Mock-Packages-Detail": this.detail.replace(/[\r\n]+/g, " ") },
    });
  }
}
