/**
 * The journal's view of an upload body: its parts in order, the zip's entry
 * names (from its central directory), and the parsed `resources`. The parsed
 * JSON is kept on the form, so that the controller's check 4 does not parse it again.
 */
import type { BlobStore } from "../blob-store.js";
import type { JournalMultipart } from "../journal/journal.js";
import { readZipDirectory } from "../zip/reader.js";
import type { UploadForm } from "./front-end.js";

/** How deep a parsed `resources` value may nest and still be kept parsed. */
const MAX_DEPTH = 32;

export async function summariseForm(form: UploadForm, store: BlobStore): Promise<JournalMultipart> {
  let bits: JournalMultipart["bits"] = null;
  if (form.bits) {
    const blob = form.bits;
    let entries: string[] | null;
    try {
      const dir = await readZipDirectory((s, e) => store.read(blob.id, s, e), blob.size);
      entries = dir.entries.map((e) => e.name);
    } catch {
      entries = null;
    }
    bits = { filename: blob.filename, contentType: blob.contentType, size: blob.size, sha256: blob.sha256, entries };
  }
  let resources: JournalMultipart["resources"] = null;
  if (form.resources !== null) {
    try {
      const parsed: unknown = JSON.parse(form.resources);
      form.parsedResources = { value: parsed };
      // Kept parsed only when it is shallow enough to serialise again: a hostile body nested
      // thousands deep would otherwise break every later read of the journal.
      resources =
        Array.isArray(parsed) && depthAtMost(parsed, MAX_DEPTH) ? { entries: parsed } : { invalid: form.resources };
    } catch {
      resources = { invalid: form.resources };
    }
  }
  return { parts: form.parts, bits, resources };
}

/** Whether a parsed JSON value nests no deeper than `limit` (iterative: no recursion to overflow). */
function depthAtMost(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= limit) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}
