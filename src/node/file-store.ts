/**
 * A blob store on private temporary files: uploads stream to disk while they
 * are hashed with node:crypto, so memory stays flat whatever their size.
 * The folder is created with mode 0700 and removed by {@link FileStore.dispose}.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { open, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { BlobInfo, BlobStore, BlobWriter } from "../core/store.js";

export interface FileStore extends BlobStore {
  /** The private folder holding the blobs. */
  readonly directory: string;
  /** Removes the folder and everything in it. Synchronous, so it can run on process exit. */
  dispose(): void;
}

export interface FileStoreOptions {
  /** Parent folder. Default `os.tmpdir()`. */
  parent?: string;
}

export function createFileStore(options: FileStoreOptions = {}): FileStore {
  const directory = mkdtempSync(join(options.parent ?? tmpdir(), "mock-packages-"));
  let next = 0;
  // Ids are chosen here, never by a client: a counter, so paths cannot escape the folder.
  const pathOf = (id: string) => {
    if (!/^blob-\d+$/.test(id)) throw new Error(`mock-packages: not a blob id: '${id}'`);
    return join(directory, id);
  };

  return {
    directory,
    create(): BlobWriter {
      const id = `blob-${++next}`;
      const path = pathOf(id);
      const h1 = createHash("sha1");
      const h256 = createHash("sha256");
      let size = 0;
      let stream: WriteStream | null = createWriteStream(path, { mode: 0o600 });
      let failure: Error | null = null;
      stream.on("error", (error) => {
        failure = error;
      });
      const ensure = () => {
        if (failure) throw failure;
        if (!stream) throw new Error("mock-packages: write after finish");
        return stream;
      };
      return {
        async write(chunk) {
          const s = ensure();
          h1.update(chunk);
          h256.update(chunk);
          size += chunk.length;
          if (!s.write(chunk)) {
            await new Promise<void>((resolve, reject) => {
              const onDrain = () => {
                s.off("error", onError);
                resolve();
              };
              const onError = (e: Error) => {
                s.off("drain", onDrain);
                reject(e);
              };
              s.once("drain", onDrain);
              s.once("error", onError);
            });
          }
        },
        async finish(): Promise<BlobInfo> {
          const s = ensure();
          stream = null;
          await new Promise<void>((resolve, reject) => {
            s.once("error", reject);
            s.end(() => resolve());
          });
          if (failure) throw failure;
          return { id, size, sha1: h1.digest("hex"), sha256: h256.digest("hex") };
        },
        async abort() {
          const s = stream;
          stream = null;
          if (s) await new Promise<void>((resolve) => s.destroy() && s.once("close", () => resolve()));
          await rm(path, { force: true });
        },
      };
    },
    async read(id, start, end) {
      const handle = await open(pathOf(id), "r");
      try {
        const length = Math.max(0, end - start);
        const buffer = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buffer, got, length - got, start + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === length ? buffer : buffer.subarray(0, got);
      } finally {
        await handle.close();
      }
    },
    stream(id) {
      return Readable.toWeb(createReadStream(pathOf(id), { highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>;
    },
    async size(id) {
      return (await stat(pathOf(id))).size;
    },
    async delete(id) {
      await rm(pathOf(id), { force: true });
    },
    async clear() {
      for (const name of await readdir(directory).catch(() => [] as string[])) {
        await rm(join(directory, name), { force: true, recursive: true });
      }
    },
    dispose() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
