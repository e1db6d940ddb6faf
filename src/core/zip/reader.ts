/**
 * Reads a zip's central directory through random access, never the whole
 * archive: a package's size is the sum of the uncompressed sizes its
 * directory declares, found without inflating anything (`app_packager.rb#size`).
 */

/** Random access to stored bytes: `[start, end)`. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

export interface ZipEntry {
  /** The name as stored (bytes decoded as UTF-8, or CP437-as-latin1 without the UTF-8 flag). */
  name: string;
  /** The raw name bytes. */
  nameBytes: Uint8Array;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  externalAttributes: number;
  /** The central directory record as stored, for copying into a new archive. */
  record: Uint8Array;
  /** Unix `st_mode` when the entry was made on Unix, else null. */
  unixMode: number | null;
  isDirectory: boolean;
  isSymlink: boolean;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Offset of the central directory: local entries end here. */
  centralDirectoryOffset: number;
  /** Sum of the declared uncompressed sizes. */
  totalUncompressed: number;
}

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipFormatError";
  }
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 0x100000000;

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/**
 * The largest central directory the simulator reads: 64 MiB, some 400,000 entries of ordinary
 * names (a 1 GiB package of 4 KiB files needs 40 MiB). It is read whole, so a zip of 250 MiB of
 * 64 KiB names would otherwise cost a gigabyte; past it the zip is refused as invalid.
 */
export const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

/** The archive's entries from its central directory, found through the end record; nothing is inflated. */
export async function readZipDirectory(read: ReadRange, size: number): Promise<ZipDirectory> {
  const { count, cdSize, cdOffset } = await findCentralDirectory(read, size);
  if (cdOffset + cdSize > size) throw new ZipFormatError("central directory outside the file");
  if (count > size / 46 + 1) throw new ZipFormatError("more entries declared than can fit");
  if (cdSize > MAX_CENTRAL_DIRECTORY) {
    throw new ZipFormatError(
      `central directory of ${cdSize} bytes, over the ${MAX_CENTRAL_DIRECTORY} the simulator reads`,
    );
  }
  const cd = await read(cdOffset, cdOffset + cdSize);
  if (cd.length < cdSize) throw new ZipFormatError("central directory truncated");
  const entries: ZipEntry[] = [];
  let p = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const entry = readCentralRecord(cd, p);
    if (entry.localHeaderOffset >= cdOffset) throw new ZipFormatError("an entry's data lies outside the archive");
    entries.push(entry);
    total += entry.uncompressedSize;
    p += entry.record.length;
  }
  return { entries, centralDirectoryOffset: cdOffset, totalUncompressed: total };
}

/**
 * The names of the first entries, from at most `maxBytes` of the central directory, and how
 * many entries the archive declares: what the journal shows of a zip, at a bounded cost.
 */
export async function readZipNames(
  read: ReadRange,
  size: number,
  maxBytes: number,
): Promise<{ names: string[]; count: number }> {
  const { count, cdSize, cdOffset } = await findCentralDirectory(read, size);
  if (cdOffset + cdSize > size) throw new ZipFormatError("central directory outside the file");
  const cd = await read(cdOffset, cdOffset + Math.min(cdSize, maxBytes));
  const names: string[] = [];
  for (let p = 0; names.length < count && p + 46 <= cd.length;) {
    const end = p + 46 + u16(cd, p + 28) + u16(cd, p + 30) + u16(cd, p + 32);
    if (end > cd.length) break; // the rest lies past the bound
    const entry = readCentralRecord(cd, p);
    names.push(entry.name);
    p = end;
  }
  return { names, count };
}

/** The end-of-central-directory record (the last one whose comment fits), and its zip64 form when needed. */
async function findCentralDirectory(read: ReadRange, size: number) {
  if (size < 22) throw new ZipFormatError("too short to be a zip archive");
  const tailLength = Math.min(size, 22 + 0xffff);
  const tailStart = size - tailLength;
  const tail = await read(tailStart, size);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === EOCD && i + 22 + u16(tail, i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at === -1) throw new ZipFormatError("end-of-central-directory signature not found");
  const count = u16(tail, at + 10);
  const cdSize = u32(tail, at + 12);
  const cdOffset = u32(tail, at + 16);
  if (count !== 0xffff && cdSize !== 0xffffffff && cdOffset !== 0xffffffff) return { count, cdSize, cdOffset };
  const eocdPos = tailStart + at;
  if (eocdPos < 20) throw new ZipFormatError("zip64 locator missing");
  const loc = await read(eocdPos - 20, eocdPos);
  if (u32(loc, 0) !== EOCD64_LOCATOR) throw new ZipFormatError("zip64 locator missing");
  const eocd64Pos = u64(loc, 8);
  const rec = await read(eocd64Pos, eocd64Pos + 56);
  if (rec.length < 56 || u32(rec, 0) !== EOCD64) throw new ZipFormatError("zip64 end record missing");
  return { count: u64(rec, 32), cdSize: u64(rec, 40), cdOffset: u64(rec, 48) };
}

/** One central directory record at `p`, with its zip64 sizes and offset and its Unix mode. */
function readCentralRecord(cd: Uint8Array, p: number): ZipEntry {
  if (p + 46 > cd.length || u32(cd, p) !== CENTRAL) throw new ZipFormatError("bad central directory record");
  const versionMadeBy = u16(cd, p + 4);
  const flags = u16(cd, p + 8);
  const nameLength = u16(cd, p + 28);
  const extraLength = u16(cd, p + 30);
  const externalAttributes = u32(cd, p + 38);
  const end = p + 46 + nameLength + extraLength + u16(cd, p + 32);
  if (end > cd.length) throw new ZipFormatError("central directory record runs past its end");
  // Views, not copies: the directory is held while its entries are, and copies would double it.
  const nameBytes = cd.subarray(p + 46, p + 46 + nameLength);
  const sizes = zip64Fields(cd, p + 46 + nameLength, extraLength, {
    uncompressedSize: u32(cd, p + 24),
    compressedSize: u32(cd, p + 20),
    localHeaderOffset: u32(cd, p + 42),
  });
  const unixMode = versionMadeBy >>> 8 === 3 ? externalAttributes >>> 16 : null;
  const name = (flags & 0x800 ? utf8 : latin1).decode(nameBytes);
  const isDirectory =
    name.endsWith("/") || (unixMode !== null && (unixMode & S_IFMT) === S_IFDIR) || (externalAttributes & 0x10) !== 0;
  return {
    name,
    nameBytes,
    versionMadeBy,
    flags,
    method: u16(cd, p + 10),
    crc32: u32(cd, p + 16),
    ...sizes,
    externalAttributes,
    record: cd.subarray(p, end),
    unixMode,
    isDirectory,
    isSymlink: unixMode !== null && (unixMode & S_IFMT) === S_IFLNK,
  };
}

/** Zip64 extended information: only the fields whose 32-bit value is all ones are present, in this order. */
function zip64Fields(
  cd: Uint8Array,
  start: number,
  length: number,
  fields: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number },
) {
  const out = { ...fields };
  for (let e = start; e + 4 <= start + length; e += 4 + u16(cd, e + 2)) {
    if (u16(cd, e) !== 0x0001) continue;
    const fieldEnd = e + 4 + u16(cd, e + 2);
    let q = e + 4;
    for (const key of ["uncompressedSize", "compressedSize", "localHeaderOffset"] as const) {
      if (out[key] === 0xffffffff && q + 8 <= fieldEnd) {
        out[key] = u64(cd, q);
        q += 8;
      }
    }
  }
  return out;
}

/** Where an entry's compressed data starts, from its local header. */
export async function dataOffset(read: ReadRange, entry: ZipEntry): Promise<number> {
  const head = await read(entry.localHeaderOffset, entry.localHeaderOffset + 30);
  if (head.length < 30 || u32(head, 0) !== 0x04034b50) throw new ZipFormatError("bad local file header");
  return entry.localHeaderOffset + 30 + u16(head, 26) + u16(head, 28);
}
