/**
 * Streams a large zip without holding it: one stored entry of pseudo-random
 * bytes, with a data descriptor so the CRC can follow the data.
 */
import { crc32 } from "../src/core/zip/crc32.js";

export interface BigZip {
  /** Total bytes of the zip. */
  size: number;
  /** Yields the zip in chunks. */
  chunks(): AsyncGenerator<Uint8Array>;
}

export function bigZip(dataSize: number, name = "big.bin", chunkSize = 1024 * 1024): BigZip {
  const nameBytes = new TextEncoder().encode(name);
  const localSize = 30 + nameBytes.length;
  const descriptorSize = 16;
  const centralSize = 46 + nameBytes.length;
  const size = localSize + dataSize + descriptorSize + centralSize + 22;
  return {
    size,
    async *chunks() {
      const local = new DataView(new ArrayBuffer(localSize));
      local.setUint32(0, 0x04034b50, true);
      local.setUint16(4, 20, true);
      local.setUint16(6, 0x8, true);
      local.setUint16(26, nameBytes.length, true);
      new Uint8Array(local.buffer).set(nameBytes, 30);
      yield new Uint8Array(local.buffer);
      let crc = 0;
      let x = 0x12345678;
      const chunk = new Uint8Array(chunkSize);
      const words = new Uint32Array(chunk.buffer);
      for (let sent = 0; sent < dataSize; sent += chunkSize) {
        for (let i = 0; i < words.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          words[i] = x >>> 0;
        }
        const part = chunk.subarray(0, Math.min(chunkSize, dataSize - sent));
        crc = crc32(part, crc);
        yield part.slice();
      }
      const desc = new DataView(new ArrayBuffer(descriptorSize));
      desc.setUint32(0, 0x08074b50, true);
      desc.setUint32(4, crc, true);
      desc.setUint32(8, dataSize, true);
      desc.setUint32(12, dataSize, true);
      yield new Uint8Array(desc.buffer);
      const central = new DataView(new ArrayBuffer(centralSize));
      central.setUint32(0, 0x02014b50, true);
      central.setUint16(4, (3 << 8) | 20, true);
      central.setUint16(6, 20, true);
      central.setUint16(8, 0x8, true);
      central.setUint32(16, crc, true);
      central.setUint32(20, dataSize, true);
      central.setUint32(24, dataSize, true);
      central.setUint16(28, nameBytes.length, true);
      central.setUint32(38, (0o100644 << 16) >>> 0, true);
      central.setUint32(42, 0, true);
      new Uint8Array(central.buffer).set(nameBytes, 46);
      yield new Uint8Array(central.buffer);
      const eocd = new DataView(new ArrayBuffer(22));
      eocd.setUint32(0, 0x06054b50, true);
      eocd.setUint16(8, 1, true);
      eocd.setUint16(10, 1, true);
      eocd.setUint32(12, centralSize, true);
      eocd.setUint32(16, localSize + dataSize + descriptorSize, true);
      yield new Uint8Array(eocd.buffer);
    },
  };
}

/**
 * Uploads a big zip as the cf CLI would (`resources` `[]`, then `bits` as `package.zip`),
 * streaming it with an exact Content-Length. `onChunk` sees every byte of the zip (to hash it).
 */
export async function streamUpload(
  url: string,
  headers: Record<string, string>,
  zip: BigZip,
  onChunk: (chunk: Uint8Array) => void = () => {},
): Promise<{ status: number; seconds: number }> {
  const { request } = await import("node:http");
  const boundary = "b".repeat(60);
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n[]\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="bits"; filename="package.zip"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          ...headers,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": head.length + zip.size + tail.length,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    void (async () => {
      req.write(head);
      for await (const chunk of zip.chunks()) {
        onChunk(chunk);
        if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
      }
      req.end(tail);
    })();
  });
  return { status, seconds: (performance.now() - started) / 1000 };
}
