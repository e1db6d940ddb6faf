/** Byte helpers shared by the core, the adapters and the fixtures. */

/** Joins chunks into one array (a single chunk is returned as it is). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (
    chunks.length === 1 &&
    chunks[0]!.buffer instanceof ArrayBuffer &&
    chunks[0]!.byteOffset === 0 &&
    chunks[0]!.byteLength === chunks[0]!.buffer.byteLength
  ) {
    return chunks[0] as Uint8Array<ArrayBuffer>;
  }
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
