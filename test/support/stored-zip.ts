/**
 * Uploading through the checked client and reading stored zips back with the
 * simulator's own reader (jszip renames entries such as `../x` when loading).
 */
import { expect } from "vitest";
import { buildCfUploadBody, type ResourceEntry } from "../../fixtures/index.js";
import type { Simulator } from "../../src/index.js";
import { dataOffset, readZipDirectory, type ZipEntry } from "../../src/core/zip/reader.js";
import type { Client } from "./client.js";
import { settle } from "./world.js";

export interface StoredEntry {
  name: string;
  /** Unix `st_mode` (type and permission bits), or null when not made on Unix. */
  mode: number | null;
  isSymlink: boolean;
  isDirectory: boolean;
  /** The inflated content as UTF-8 text. */
  text: string;
}

const readerOf = (bytes: Uint8Array) => async (s: number, e: number) => bytes.slice(s, e);

async function inflate(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const start = await dataOffset(readerOf(bytes), entry);
  const raw = bytes.slice(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every entry of a zip, names exactly as stored, with contents. */
export async function readStoredZip(bytes: Uint8Array): Promise<StoredEntry[]> {
  const dir = await readZipDirectory(readerOf(bytes), bytes.length);
  const out: StoredEntry[] = [];
  for (const e of dir.entries) {
    out.push({
      name: e.name,
      mode: e.unixMode,
      isSymlink: e.isSymlink,
      isDirectory: e.isDirectory,
      text: new TextDecoder().decode(await inflate(bytes, e)),
    });
  }
  return out;
}

/** Uploads as `cf push` does to an AWAITING_UPLOAD package, waits for the job, and answers the package JSON. */
export async function uploadAndSettle(
  sim: Simulator,
  api: Client,
  packageGuid: string,
  upload: { bits?: Uint8Array | null; resources?: ResourceEntry[] },
  user = "space-developer",
): Promise<any> {
  const body = buildCfUploadBody(upload);
  const r = await api.call(`/v3/packages/${packageGuid}/upload`, {
    method: "POST",
    user,
    body: body.body,
    headers: { "content-type": body.contentType },
  });
  expect(r.status, r.text).toBe(200);
  expect(r.json.state).toBe("PROCESSING_UPLOAD");
  await settle(sim);
  const p = await api.call(`/v3/packages/${packageGuid}`, { user });
  expect(p.status, p.text).toBe(200);
  return p.json;
}

/** The stored zip of a READY package. */
export async function downloadPackage(api: Client, packageGuid: string, user = "space-developer"): Promise<Uint8Array> {
  const r = await api.call(`/v3/packages/${packageGuid}/download`, { user });
  expect(r.status, r.text).toBe(200);
  return r.bytes;
}
