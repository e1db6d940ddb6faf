/**
 * The stored bits of READY packages: a zip file as it is, a folder zipped the
 * same way on every machine, or a tiny generated page. Zipping uses the core's
 * own writer, so the bytes match what the simulator itself would store.
 */
import { createMemoryStore, getBytes } from "../core/blob-store.js";
import { ZipFormatError, readZipDirectory } from "../core/zip/reader.js";
import { writeZip, type AppendedFile } from "../core/zip/writer.js";
import { ZIP_DATE } from "../core/world/zip-date.js";

/** A file of a bits folder: its name inside the folder (`public/index.html`), Unix mode and content. */
export interface BitsFile {
  name: string;
  mode: number;
  bytes: Uint8Array;
}

/**
 * What a package's `bits` names, as the loader found it: a file (which must be
 * a zip), a folder's files (sorted, symlinks resolved), or why it could not be read.
 */
export type BitsSource =
  { kind: "file"; bytes: Uint8Array } | { kind: "folder"; files: BitsFile[] } | { kind: "problem"; problem: string };

/** Reads what a package's `bits` names (a path relative to the world file, or absolute). */
export type ReadBits = (ref: string) => Promise<BitsSource>;

/** A zip of `files`, stored, with the fixed date of every generated zip. */
async function zipOf(files: readonly BitsFile[]): Promise<Uint8Array> {
  const store = createMemoryStore();
  const out = store.create();
  const append: AppendedFile[] = files.map((f) => ({
    name: f.name,
    mode: f.mode,
    size: f.bytes.length,
    read: async (s: number, e: number) => f.bytes.slice(s, e),
  }));
  await writeZip(out, null, [], append, ZIP_DATE.getTime());
  return getBytes(store, (await out.finish()).id);
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The bits of a READY package that names none: one page naming the app. */
export function generatedBits(appName: string): Promise<Uint8Array> {
  const html = `<!doctype html><title>${escapeHtml(appName)}</title><h1>${escapeHtml(appName)}</h1>\n`;
  return zipOf([{ name: "index.html", mode: 0o644, bytes: new TextEncoder().encode(html) }]);
}

/** The bits to store for `source`, or what is wrong with it; `ref` is the path as the file gives it. */
export async function bitsOf(source: BitsSource, ref: string): Promise<{ bytes: Uint8Array } | { problem: string }> {
  if (source.kind === "problem") return { problem: source.problem };
  if (source.kind === "folder") {
    if (source.files.length === 0) return { problem: `the folder ${ref} holds no files` };
    return { bytes: await zipOf(source.files) };
  }
  const bytes = source.bytes;
  try {
    await readZipDirectory(async (s, e) => bytes.slice(s, e), bytes.length);
  } catch (error) {
    if (error instanceof ZipFormatError) return { problem: `${ref} is not a zip archive (${error.message})` };
    throw error;
  }
  return { bytes };
}
