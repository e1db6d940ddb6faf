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

export async function readZipDirectory(read: ReadRange, size: number): Promise<ZipDirectory> {
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
  let count = u16(tail, at + 10);
  let cdSize = u32(tail, at + 12);
  let cdOffset = u32(tail, at + 16);
  const eocdPos = tailStart + at;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdPos < 20) throw new ZipFormatError("zip64 locator missing");
    const loc = await read(eocdPos - 20, eocdPos);
    if (u32(loc, 0) !== EOCD64_LOCATOR) throw new ZipFormatError("zip64 locator missing");
    const eocd64Pos = u64(loc, 8);
    const rec = await read(eocd64Pos, eocd64Pos + 56);
    if (rec.length < 56 || u32(rec, 0) !== EOCD64) throw new ZipFormatError("zip64 end record missing");
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  if (cdOffset + cdSize > size) throw new ZipFormatError("central directory outside the file");
  if (count > size / 46 + 1) throw new ZipFormatError("more entries declared than can fit");
  const cd = await read(cdOffset, cdOffset + cdSize);
  if (cd.length < cdSize) throw new ZipFormatError("central directory truncated");
  const entries: ZipEntry[] = [];
  let p = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== CENTRAL) throw new ZipFormatError("bad central directory record");
    const versionMadeBy = u16(cd, p + 4);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let compressedSize = u32(cd, p + 20);
    let uncompressedSize = u32(cd, p + 24);
    const nameLength = u16(cd, p + 28);
    const extraLength = u16(cd, p + 30);
    const commentLength = u16(cd, p + 32);
    const externalAttributes = u32(cd, p + 38);
    let localHeaderOffset = u32(cd, p + 42);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) throw new ZipFormatError("central directory record runs past its end");
    const nameBytes = cd.slice(p + 46, p + 46 + nameLength);
    // Zip64 extended information: only the fields whose 32-bit value is all ones are present.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= e + 4 + len) {
          uncompressedSize = u64(cd, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) {
          compressedSize = u64(cd, q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff && q + 8 <= e + 4 + len) localHeaderOffset = u64(cd, q);
      }
      e += 4 + len;
    }
    if (localHeaderOffset >= cdOffset) throw new ZipFormatError("an entry's data lies outside the archive");
    const host = versionMadeBy >>> 8;
    const unixMode = host === 3 ? externalAttributes >>> 16 : null;
    const name = (flags & 0x800 ? utf8 : latin1).decode(nameBytes);
    const isDirectory =
      name.endsWith("/") || (unixMode !== null && (unixMode & S_IFMT) === S_IFDIR) || (externalAttributes & 0x10) !== 0;
    const isSymlink = unixMode !== null && (unixMode & S_IFMT) === S_IFLNK;
    entries.push({
      name,
      nameBytes,
      versionMadeBy,
      flags,
      method,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      externalAttributes,
      record: cd.slice(p, end),
      unixMode,
      isDirectory,
      isSymlink,
    });
    total += uncompressedSize;
    p = end;
  }
  return { entries, centralDirectoryOffset: cdOffset, totalUncompressed: total };
}

/** Where an entry's compressed data starts, from its local header. */
export async function dataOffset(read: ReadRange, entry: ZipEntry): Promise<number> {
  const head = await read(entry.localHeaderOffset, entry.localHeaderOffset + 30);
  if (head.length < 30 || u32(head, 0) !== 0x04034b50) throw new ZipFormatError("bad local file header");
  return entry.localHeaderOffset + 30 + u16(head, 26) + u16(head, 28);
}
