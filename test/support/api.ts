/**
 * The requests many tests make, written once: JSON calls, creating a bits package, the
 * upload as `cf push` sends it, waiting for its job, reading the package back and
 * downloading it. Every call goes through the checked client (support/client.ts), so every
 * answer is checked against spec/openapi.yaml as before.
 */
import { expect } from "vitest";
import { buildCfUploadBody, buildMultipart, type MultipartBody, type ResourceEntry } from "../../fixtures/index.js";
import type { Simulator } from "../../src/index.js";
import type { Answer, CallInit, Client } from "./client.js";
import { appGuid, settle } from "./world.js";

/** The fixture user the tests act as unless they say otherwise. */
export const DEV = "space-developer";

/** Sends `body` as JSON (a string as it is, anything else through JSON.stringify); POST unless `init.method` says otherwise. */
export function sendJson(api: Client, path: string, body: unknown, init: CallInit = {}): Promise<Answer> {
  return api.call(path, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// ---------------------------------------------------------------------------
// Packages.

/** `POST /v3/packages` with this body, as it is: no expectation (for tests of what the endpoint accepts). */
export function postPackage(api: Client, body: unknown, user = DEV, path = "/v3/packages"): Promise<Answer> {
  return sendJson(api, path, body, { user });
}

/** A new bits package of the fixture app `app`, created through the API: 201 in AWAITING_UPLOAD; answers its guid. */
export async function createBitsPackage(sim: Simulator, api: Client, app = "web-app", user = DEV): Promise<string> {
  const r = await postPackage(
    api,
    { type: "bits", relationships: { app: { data: { guid: appGuid(sim, app) } } } },
    user,
  );
  expect(r.status, r.text).toBe(201);
  expect(r.json.state).toBe("AWAITING_UPLOAD");
  return r.json.guid as string;
}

/** `GET /v3/packages/{guid}`: 200; answers the package JSON. */
export async function showPackage(api: Client, guid: string, user = DEV): Promise<any> {
  const r = await api.call(`/v3/packages/${guid}`, { user });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/**
 * The stored zip of a READY package; answers its bytes. With the default remote blobstore the
 * download's 302 is followed to the signed blob URL (without the token); either way the last answer is 200.
 */
export async function downloadPackage(api: Client, guid: string, user = DEV): Promise<Uint8Array> {
  const r = await api.call(`/v3/packages/${guid}/download`, { user });
  expect(r.status, r.text).toBe(200);
  return r.bytes;
}

// ---------------------------------------------------------------------------
// Uploads.

/** A request body and its content type: what buildMultipart and buildCfUploadBody make, or any other. */
export interface UploadBody {
  body: BodyInit;
  contentType: string;
}

export interface UploadInit {
  /** The fixture user whose token is sent; default {@link DEV}; null sends no token. */
  user?: string | null;
  /** A raw token (overrides `user`). */
  token?: string;
  /** More headers (`prefer`, `origin`, …), after the content type. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A query string for the upload URL, with its `?`. */
  query?: string;
}

/**
 * The body `cf push` sends: `resources` first, then `bits` as package.zip when given
 * (buildCfUploadBody). `resources` may also be raw text, or entries of any shape (V2,
 * hostile), sent as JSON as they are.
 */
export function cfUploadBody(bits: Uint8Array | null | undefined, resources: unknown[] | string = []): MultipartBody {
  if (typeof resources !== "string") return buildCfUploadBody({ bits, resources: resources as ResourceEntry[] });
  const parts: Parameters<typeof buildMultipart>[0] = [{ name: "resources", content: resources }];
  if (bits)
    parts.push({ name: "bits", filename: "package.zip", contentType: "application/octet-stream", content: bits });
  return buildMultipart(parts);
}

/** `POST /v3/packages/{guid}/upload` with a body made elsewhere: the one way every test uploads. */
export function postUpload(api: Client, guid: string, body: UploadBody, init: UploadInit = {}): Promise<Answer> {
  const { user = DEV, token, headers, signal, query = "" } = init;
  return api.call(`/v3/packages/${guid}/upload${query}`, {
    method: "POST",
    user: user ?? undefined,
    token,
    body: body.body,
    headers: { "content-type": body.contentType, ...headers },
    signal,
  });
}

export interface Upload {
  bits?: Uint8Array | null;
  resources?: unknown[] | string;
}

/** A body sent in chunks of `size` bytes as the server reads it, with no Content-Length (chunked). */
export function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes.length) return controller.close();
      const chunk = bytes.subarray(sent, sent + size);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

/** Uploads as `cf push` does: {@link cfUploadBody} through {@link postUpload}. */
export function upload(api: Client, guid: string, what: Upload, init: UploadInit = {}): Promise<Answer> {
  return postUpload(api, guid, cfUploadBody(what.bits, what.resources), init);
}

/**
 * Uploads as `cf push` does to an AWAITING_UPLOAD package: 200 in PROCESSING_UPLOAD; then
 * waits for the job and answers the package JSON as then shown.
 */
export async function uploadAndSettle(
  sim: Simulator,
  api: Client,
  guid: string,
  what: Upload,
  user = DEV,
): Promise<any> {
  const r = await upload(api, guid, what, { user });
  expect(r.status, r.text).toBe(200);
  expect(r.json.state).toBe("PROCESSING_UPLOAD");
  await settle(sim);
  return showPackage(api, guid, user);
}

// ---------------------------------------------------------------------------
// Neighbours.

/** `POST /v3/resource_matches` with this body (an object, or raw text). */
export function matchResources(api: Client, body: unknown, user = DEV): Promise<Answer> {
  return sendJson(api, "/v3/resource_matches", body, { user });
}

/** `PATCH /v3/feature_flags/{name}` with this body. */
export function patchFlag(api: Client, name: string, body: unknown, user = "admin"): Promise<Answer> {
  return sendJson(api, `/v3/feature_flags/${name}`, body, { method: "PATCH", user });
}
