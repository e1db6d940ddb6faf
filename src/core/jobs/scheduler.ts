/**
 * Background work of one simulator: the jobs that finish uploads, copies and
 * deletes after the processing delay, and the waits of the latency and hang
 * scenarios. `reset()` and `close()` cancel every wait at once and wait until
 * no task runs, however far each had got; a task cancelled that way ends
 * quietly, since the world it worked on is gone.
 */

/** Why a wait ended early: the simulator was reset or closed. */
export class Cancelled extends Error {
  constructor() {
    super("mock-packages: cancelled by reset or close");
    this.name = "Cancelled";
  }
}

export interface Scheduler {
  /**
   * Runs `task` in the background. Its signal aborts when a reset or close cancels it: long work
   * checks it (`signal.throwIfAborted()`) between steps. A failure is logged, unless the task was
   * cancelled.
   */
  run(task: (signal: AbortSignal) => Promise<void>): void;
  /** Waits `ms` milliseconds; rejects with {@link Cancelled} when a reset or close cancels it. */
  sleep(ms: number): Promise<void>;
  /** Resolves when `signal` aborts, or at once when a reset or close comes: for answers that never come. */
  hang(signal: AbortSignal): Promise<void>;
  /** Resolves when no task runs. */
  idle(): Promise<void>;
  /** Cancels every wait and hang, and resolves when no task runs. */
  drain(): Promise<void>;
  /** As {@link drain}; after it, every new wait is cancelled at once. */
  close(): Promise<void>;
}

export type Log = (level: "info" | "warn" | "error", message: string, error?: unknown) => void;

export function createScheduler(log: Log): Scheduler {
  /** Bumped by every cancellation: a task born before it was cancelled, and its failure is not news. */
  let generation = 0;
  /** Aborted, and replaced, by every cancellation: the signal of the tasks born before it. */
  let cancellation = new AbortController();
  let draining = false;
  let closed = false;
  const cancels = new Set<() => void>();
  const hangs = new Set<() => void>();
  const pending = new Set<Promise<void>>();

  const cancelAll = () => {
    generation++;
    cancellation.abort(new Cancelled());
    cancellation = new AbortController();
    for (const release of [...hangs]) release();
    const waits = [...cancels];
    cancels.clear();
    for (const cancel of waits) cancel();
  };

  const drain = async () => {
    draining = true;
    try {
      // A task may start another wait after a cancellation: cancel again until none runs.
      for (;;) {
        cancelAll();
        if (pending.size === 0) return;
        await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5))]);
      }
    } finally {
      draining = false;
    }
  };

  return {
    run(task) {
      const born = generation;
      const signal = cancellation.signal;
      const p = (async () => {
        try {
          await task(signal);
        } catch (error) {
          if (born === generation && !(error instanceof Cancelled)) log("error", "a background job failed", error);
        }
      })();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    sleep(ms) {
      return new Promise<void>((resolve, reject) => {
        if (draining || closed) return reject(new Cancelled());
        if (ms <= 0) return resolve();
        const cancel = () => {
          clearTimeout(timer);
          reject(new Cancelled());
        };
        const timer = setTimeout(() => {
          cancels.delete(cancel);
          resolve();
        }, ms);
        cancels.add(cancel);
      });
    },
    hang(signal) {
      return new Promise<void>((resolve) => {
        if (signal.aborted || closed) return resolve();
        const done = () => {
          hangs.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        hangs.add(done);
        signal.addEventListener("abort", done);
      });
    },
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    drain,
    async close() {
      closed = true;
      await drain();
    },
  };
}
