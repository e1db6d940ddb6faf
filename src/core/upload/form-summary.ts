/**
 * The journal's view of an upload body: its parts in order, the zip's entry
 * names (from its central directory) and the `resources` field. Nothing is
 * parsed here that the controller has not parsed: `resources` is kept as a
 * bounded prefix of its text until check 4 parses it ({@link noteResources}),
 * and a zip's names are read from a bounded prefix of its central directory.
 */
import type { BlobStore } from "../blob-store.js";
import { JOURNAL_TEXT_PREFIX, type JournalMultipart } from "../journal/journal.js";
import { readZipNames } from "../zip/reader.js";
import type { UploadForm } from "./front-end.js";

/** The longest `resources` text whose parsed entries the journal keeps (some 5,000 cf CLI entries). */
export const JOURNAL_PARSED_MAX = 1024 * 1024;
/** The most zip entry names the journal keeps per upload, and the most characters of them in all. */
export const JOURNAL_ENTRY_NAMES = 20_000;
export const JOURNAL_ENTRY_NAME_CHARS = 2 * 1024 * 1024;
/** The most of a zip's central directory read for the journal (names and their 46-byte records). */
const JOURNAL_ENTRY_NAME_BYTES = 4 * 1024 * 1024;
/** How deep parsed `resources` may nest and still be kept parsed (deeper could not be serialised again). */
const MAX_DEPTH = 32;

export async function summariseForm(form: UploadForm, store: BlobStore): Promise<JournalMultipart> {
  let bits: JournalMultipart["bits"] = null;
  if (form.bits) {
    const blob = form.bits;
    let names: { entries: string[] | null; entriesOmitted?: number };
    try {
      const dir = await readZipNames((s, e) => store.read(blob.id, s, e), blob.size, JOURNAL_ENTRY_NAME_BYTES);
      names = boundedNames(dir.names, dir.count);
    } catch {
      names = { entries: null };
    }
    bits = { filename: blob.filename, contentType: blob.contentType, size: blob.size, sha256: blob.sha256, ...names };
  }
  const resources = form.resources === null ? null : unread(form.resources);
  return { parts: form.parts, bits, resources };
}

/**
 * What check 4 made of `resources` (its parsed JSON, or `undefined` when it is not JSON), for
 * the journal: the entries when the text is short enough to keep parsed and nests shallowly
 * enough to serialise again (`depth`, counted as it arrived), else a prefix of the text.
 */
export function noteResources(summary: JournalMultipart | null, text: string, parsed: unknown, depth: number): void {
  if (!summary) return;
  if (parsed === undefined) summary.resources = { invalid: text.slice(0, JOURNAL_TEXT_PREFIX) };
  else if (text.length <= JOURNAL_PARSED_MAX && Array.isArray(parsed) && depth <= MAX_DEPTH) {
    summary.resources = { entries: parsed };
  } else summary.resources = unread(text);
}

/** A text the controller did not parse (the request failed first) or too long to keep parsed. */
function unread(text: string): { unread: string; length: number } {
  return { unread: text.slice(0, JOURNAL_TEXT_PREFIX), length: text.length };
}

function boundedNames(read: string[], count: number): { entries: string[]; entriesOmitted?: number } {
  const entries: string[] = [];
  let chars = 0;
  for (const name of read) {
    if (entries.length >= JOURNAL_ENTRY_NAMES || chars + name.length > JOURNAL_ENTRY_NAME_CHARS) break;
    entries.push(name);
    chars += name.length;
  }
  return entries.length === count ? { entries } : { entries, entriesOmitted: count - entries.length };
}
