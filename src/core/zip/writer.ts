/**
 * Writes a new zip into a blob by copying entries of an existing one raw
 * (never inflating them) and appending new files, then a fresh central
 * directory. Streams through fixed-size chunks: memory stays flat.
 */
import type { BlobWriter } from "../blob-store.js";
import { crc32 } from "./crc32.js";
import { ZipFormatError, dataOffset, type ReadRange, type ZipEntry } from "./reader.js";

const CHUNK = 1024 * 1024;
const encoder = new TextEncoder();

export interface AppendedFile {
  /** The entry name inside the zip. */
  name: string;
  /** Unix permission bits (e.g. 0o744). */
  mode: number;
  size: number;
  /** Reads `[start, end)` of the file's content. */
  read: ReadRange;
}

async function copyRange(out: BlobWriter, read: ReadRange, start: number, end: number): Promise<void> {
  for (let at = start; at < end; at += CHUNK) {
    const bytes = await read(at, Math.min(end, at + CHUNK));
    if (bytes.length === 0) throw new ZipFormatError("archive ends inside an entry");
    await out.write(bytes);
  }
}

function dosDateTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

class Bytes {
  private readonly view: DataView;
  readonly bytes: Uint8Array;
  private p = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number) {
    this.view.setUint16(this.p, v, true);
    this.p += 2;
    return this;
  }
  u32(v: number) {
    this.view.setUint32(this.p, v >>> 0, true);
    this.p += 4;
    return this;
  }
  u64(v: number) {
    this.view.setUint32(this.p, v % 0x100000000, true);
    this.view.setUint32(this.p + 4, Math.floor(v / 0x100000000), true);
    this.p += 8;
    return this;
  }
  raw(b: Uint8Array) {
    this.bytes.set(b, this.p);
    this.p += b.length;
    return this;
  }
}

/** The end of an entry's stored bytes: data plus its data descriptor, if any. */
async function entryEnd(read: ReadRange, entry: ZipEntry, start: number, limit: number): Promise<number> {
  let end = start + entry.compressedSize;
  if (entry.flags & 0x8) {
    const sig = await read(end, end + 4);
    const signed = sig.length === 4 && sig[0] === 0x50 && sig[1] === 0x4b && sig[2] === 0x07 && sig[3] === 0x08;
    end += signed ? 16 : 12;
  }
  if (end > limit) throw new ZipFormatError("an entry runs into the central directory");
  return end;
}

/**
 * Writes `keep` (entries of the source archive, copied raw) and then `append`
 * (stored uncompressed, with their modes) as a new archive into `out`.
 */
export async function writeZip(
  out: BlobWriter,
  source: { read: ReadRange; centralDirectoryOffset: number } | null,
  keep: readonly ZipEntry[],
  append: readonly AppendedFile[],
  nowMs: number,
  /** Stops the writing between entries when it aborts. */
  signal?: AbortSignal,
): Promise<void> {
  let offset = 0;
  const central: Uint8Array[] = [];
  for (const entry of keep) {
    signal?.throwIfAborted();
    const src = source!;
    const start = entry.localHeaderOffset;
    const dataStart = await dataOffset(src.read, entry);
    const end = await entryEnd(src.read, entry, dataStart, src.centralDirectoryOffset);
    await copyRange(out, src.read, start, end);
    central.push(patchOffset(entry.record, offset));
    offset += end - start;
  }
  const { time, date } = dosDateTime(nowMs);
  for (const file of append) {
    signal?.throwIfAborted();
    let crc = 0;
    for (let at = 0; at < file.size; at += CHUNK)
      crc = crc32(await file.read(at, Math.min(file.size, at + CHUNK)), crc);
    const name = encoder.encode(file.name);
    const utf8Flag = /^[\x20-\x7e]*$/.test(file.name) ? 0 : 0x800;
    const big = file.size >= 0xffffffff || offset >= 0xffffffff;
    const zip64Local = big ? new Bytes(20).u16(0x0001).u16(16).u64(file.size).u64(file.size).bytes : new Uint8Array(0);
    const local = new Bytes(30 + name.length + zip64Local.length)
      .u32(0x04034b50)
      .u16(big ? 45 : 20)
      .u16(utf8Flag)
      .u16(0)
      .u16(time)
      .u16(date)
      .u32(crc)
      .u32(big ? 0xffffffff : file.size)
      .u32(big ? 0xffffffff : file.size)
      .u16(name.length)
      .u16(zip64Local.length)
      .raw(name)
      .raw(zip64Local).bytes;
    await out.write(local);
    for (let at = 0; at < file.size; at += CHUNK) await out.write(await file.read(at, Math.min(file.size, at + CHUNK)));
    const zip64Central = big
      ? new Bytes(28).u16(0x0001).u16(24).u64(file.size).u64(file.size).u64(offset).bytes
      : new Uint8Array(0);
    central.push(
      new Bytes(46 + name.length + zip64Central.length)
        .u32(0x02014b50)
        .u16((3 << 8) | 30) // made on Unix, as `zip` does, so the mode travels
        .u16(big ? 45 : 20)
        .u16(utf8Flag)
        .u16(0)
        .u16(time)
        .u16(date)
        .u32(crc)
        .u32(big ? 0xffffffff : file.size)
        .u32(big ? 0xffffffff : file.size)
        .u16(name.length)
        .u16(zip64Central.length)
        .u16(0)
        .u16(0)
        .u16(0)
        .u32(((0o100000 | (file.mode & 0o7777)) << 16) >>> 0)
        .u32(big ? 0xffffffff : offset)
        .raw(name)
        .raw(zip64Central).bytes,
    );
    offset += local.length + file.size;
  }
  const cdStart = offset;
  let cdSize = 0;
  for (const record of central) {
    await out.write(record);
    cdSize += record.length;
  }
  const count = central.length;
  if (count >= 0xffff || cdStart >= 0xffffffff || cdSize >= 0xffffffff) {
    const eocd64At = cdStart + cdSize;
    await out.write(
      new Bytes(56).u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(count).u64(count).u64(cdSize).u64(cdStart)
        .bytes,
    );
    await out.write(new Bytes(20).u32(0x07064b50).u32(0).u64(eocd64At).u32(1).bytes);
  }
  await out.write(
    new Bytes(22)
      .u32(0x06054b50)
      .u16(0)
      .u16(0)
      .u16(Math.min(count, 0xffff))
      .u16(Math.min(count, 0xffff))
      .u32(Math.min(cdSize, 0xffffffff))
      .u32(Math.min(cdStart, 0xffffffff))
      .u16(0).bytes,
  );
}

/** A central directory record with a new local header offset (in the zip64 extra field when it is used). */
function patchOffset(record: Uint8Array, offset: number): Uint8Array {
  const copy = record.slice();
  const view = new DataView(copy.buffer);
  const current = view.getUint32(42, true);
  if (current !== 0xffffffff) {
    if (offset >= 0xffffffff) throw new ZipFormatError("archive too large to rewrite without zip64");
    view.setUint32(42, offset, true);
    return copy;
  }
  const nameLength = view.getUint16(28, true);
  const extraLength = view.getUint16(30, true);
  let e = 46 + nameLength;
  const end = e + extraLength;
  while (e + 4 <= end) {
    const id = view.getUint16(e, true);
    const len = view.getUint16(e + 2, true);
    if (id === 0x0001) {
      let q = e + 4;
      if (view.getUint32(24, true) === 0xffffffff) q += 8;
      if (view.getUint32(20, true) === 0xffffffff) q += 8;
      view.setUint32(q, offset % 0x100000000, true);
      view.setUint32(q + 4, Math.floor(offset / 0x100000000), true);
      return copy;
    }
    e += 4 + len;
  }
  throw new ZipFormatError("zip64 offset missing");
}
