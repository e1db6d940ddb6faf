/**
 * The front end's own answers: nginx and its upload module refuse some requests
 * before the Cloud Controller sees them (`capi-release:
 * jobs/cloud_controller_ng/templates/nginx_external_endpoints.conf.erb`).
 */
import type { Answer } from "./answer.js";

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

  toAnswer(): Answer {
    const line = `${this.status} ${REASONS[this.status] ?? "Error"}`;
    const html =
      `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n<center><h1>${line}</h1></center>\r\n` +
      `<hr><center>nginx</center>\r\n<!-- mock-packages: ${this.detail.replace(/--/g, "- -")} -->\r\n</body>\r\n</html>\r\n`;
    return {
      status: this.status,
      headers: { "Content-Type": "text/html", "X-Mock-Packages-Detail": this.detail.replace(/[\r\n]+/g, " ") },
      body: html,
    };
  }
}
