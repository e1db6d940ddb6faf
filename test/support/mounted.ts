/**
 * A checked client for an API served under a path (a base path, a sandbox's prefix): every
 * answer is checked against spec/openapi.yaml at the path the document names, the one under
 * the mount, as the document's `servers` describe (`{base}/v3/…`).
 */
import { expectContract } from "./client.js";

export interface MountedAnswer {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export interface MountedInit extends RequestInit {
  token?: string;
  /** Skip the contract check (a request the document does not describe: an unknown route). */
  unchecked?: boolean;
}

/** Calls `baseUrl + path` (or an absolute URL inside `baseUrl`) and checks the answer at the path inside the mount. */
export async function callMounted(
  baseUrl: string,
  path: string,
  init: MountedInit = {},
  send: (request: Request) => Promise<Response> = (r) => fetch(r),
): Promise<MountedAnswer> {
  const { token, unchecked, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== undefined) headers.set("authorization", `bearer ${token}`);
  const url = path.startsWith("http") ? path : `${baseUrl}${path}`;
  const request = new Request(url, { redirect: "manual", ...rest, headers, duplex: "half" } as RequestInit);
  const response = await send(request);
  const text = await response.text();
  const json =
    (response.headers.get("content-type") ?? "").includes("json") && text !== "" ? JSON.parse(text) : undefined;
  const answer = { status: response.status, headers: response.headers, json, text };
  if (!unchecked) {
    const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
    const inside = new URL(url).pathname.slice(basePath.length) || "/";
    await expectContract(request.method, inside, { ...answer, bytes: new TextEncoder().encode(text) });
  }
  return answer;
}

/** Every `href` (and UAA's plain link strings) in a JSON body. */
export function hrefsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) hrefsOf(v, out);
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "href" && typeof v === "string") out.push(v);
      else hrefsOf(v, out);
    }
  }
  return out;
}
