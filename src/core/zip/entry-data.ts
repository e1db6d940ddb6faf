/**
 * An entry's data as `unzip` checks it: inflated as a stream, never whole. The
 * compressed bytes go to fflate's push inflater in small pieces, and every piece of
 * output is counted against the size the entry declares the moment it comes out,
 * so a bomb (an entry that declares little and inflates to a lot) stops after one
 * piece's worth of output. Deflate gives at most 1032 bytes per compressed byte, so a
 * piece of 16 KiB gives at most 16.5 MiB; pieces shrink to 1 KiB (about 1 MiB out)
 * while the data inflates that much, so bombs mostly stop within a MiB or so. Long
 * entries give the event loop a turn now and then, so requests are answered meanwhile.
 */
import { crc32 } from "./crc32.js";
import { ZipFormatError, dataOffset, type ReadRange, type ZipEntry } from "./reader.js";

/** Bytes read from the store at a time. */
const READ_SIZE = 1024 * 1024;
/** Largest piece of compressed bytes given to the inflater at once (as fast as 1 MiB pieces, measured). */
export const MAX_PIECE = 16 * 1024;
/** Smallest piece: for data that inflates a thousandfold, as bombs do. */
export const MIN_PIECE = 1024;
/** The output a piece is sized for, from how much the previous piece inflated. */
const PIECE_OUTPUT = 1024 * 1024;
/** Longest stretch of inflating without letting other work run, in milliseconds. */
const TURN_MS = 10;

export interface EntrySink {
  /**
   * Sees each piece of output the moment it comes out, after the size check against the
   * entry's declared size and before it is kept: throw to stop (a limit of the caller's).
   */
  check?(chunk: Uint8Array): void;
  /** Receives the data in order. */
  write?(chunk: Uint8Array): Promise<void>;
}

/** Inflates an entry (stored or deflated) into `sink`, checking its declared size as it goes and its CRC at the end. */
export async function readEntryData(read: ReadRange, entry: ZipEntry, sink: EntrySink = {}): Promise<void> {
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`unsupported compression method ${entry.method}`);
  const start = await dataOffset(read, entry);
  const end = start + entry.compressedSize;
  const output = new EntryOutput(entry, sink);
  const inflater = entry.method === 8 ? await createInflater(output) : null;
  const turn = turnTaker();
  let piece = MIN_PIECE;
  for (let at = start; at < end;) {
    const bytes = await read(at, Math.min(end, at + READ_SIZE));
    if (bytes.length === 0) throw new ZipFormatError("archive ends inside an entry");
    at += bytes.length;
    if (!inflater) {
      // Stored: what comes out is what was read.
      output.take(bytes);
      await output.drain();
      await turn();
      continue;
    }
    for (let p = 0; p < bytes.length;) {
      const compressed = bytes.subarray(p, p + piece);
      p += compressed.length;
      const before = output.size;
      inflater(compressed, at >= end && p >= bytes.length);
      piece = nextPiece(compressed.length, output.size - before);
      await output.drain();
      await turn();
    }
  }
  output.end();
}

/** The next piece's size: about {@link PIECE_OUTPUT} out at the ratio just seen, within the bounds. */
function nextPiece(given: number, inflated: number): number {
  if (inflated === 0) return MAX_PIECE;
  return Math.min(MAX_PIECE, Math.max(MIN_PIECE, Math.floor((given * PIECE_OUTPUT) / inflated)));
}

/** What comes out of one entry: counted and checked as it comes, kept until drained into the sink. */
class EntryOutput {
  /** Bytes out so far. */
  size = 0;
  private crc = 0;
  private pending: Uint8Array[] = [];

  constructor(
    private readonly entry: ZipEntry,
    private readonly sink: EntrySink,
  ) {}

  /** Synchronous, so that it can run inside the inflater's callback and stop it there. */
  take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    if (this.size > this.entry.uncompressedSize) {
      this.pending = [];
      throw new ZipFormatError("an entry inflates to more than it declares");
    }
    this.sink.check?.(chunk);
    this.crc = crc32(chunk, this.crc);
    if (this.sink.write) this.pending.push(chunk);
  }

  async drain(): Promise<void> {
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) await this.sink.write!(chunk);
  }

  end(): void {
    if (this.size !== this.entry.uncompressedSize || this.crc !== this.entry.crc32) {
      throw new ZipFormatError("size or CRC mismatch");
    }
  }
}

/**
 * fflate's push inflater feeding `output`. Loaded on the first deflated entry, not with the
 * package: importing fflate costs some 40 ms. A failure of `output` (a size or a caller's
 * limit) passes through as it is; anything fflate throws is corrupt data.
 */
async function createInflater(output: EntryOutput): Promise<(piece: Uint8Array, final: boolean) => void> {
  const { Inflate } = await import("fflate");
  let stopped: unknown = null;
  const inflater = new Inflate((chunk) => {
    try {
      output.take(chunk);
    } catch (error) {
      stopped = error;
      throw error;
    }
  });
  return (piece, final) => {
    try {
      inflater.push(piece, final);
    } catch (error) {
      throw stopped ?? new ZipFormatError("corrupt deflate data");
    }
  };
}

/** Answers a function that yields to the event loop when the work since its last turn has run for {@link TURN_MS}. */
function turnTaker(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < TURN_MS) return;
    await nextTurn();
    since = performance.now();
  };
}

/** Resolves after pending I/O and timers have had their turn: setImmediate in Node, a zero timeout elsewhere. */
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(() => resolve()) : setTimeout(resolve, 0)));
}
