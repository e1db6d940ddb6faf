import { afterEach, describe, expect, it, vi } from "vitest";
import { Cancelled, createScheduler, type Log } from "./scheduler.js";

/** Longer than any test: a sleep this long ends only by cancellation. */
const FOREVER = 60_000;

function setup() {
  const log = vi.fn<Log>();
  return { log, scheduler: createScheduler(log) };
}

/** A promise's state, readable at any time without awaiting it. */
function track<T>(promise: Promise<T>) {
  const t: { state: "pending" | "fulfilled" | "rejected"; reason?: unknown } = { state: "pending" };
  promise.then(
    () => (t.state = "fulfilled"),
    (reason: unknown) => Object.assign(t, { state: "rejected", reason }),
  );
  return t;
}

/** Lets every pending promise reaction run (one macrotask turn). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Lets the promise reactions queued so far run, and no timer. */
const microtasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it: a task that ends when the test says so. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Cancelled", () => {
  it("is an Error named Cancelled with the simulator's wording", () => {
    const error = new Cancelled();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("Cancelled");
    expect(error.message).toBe("mock-packages: cancelled by reset or close");
  });
});

describe("run and idle", () => {
  it("idle resolves at once when no task runs", async () => {
    const { scheduler } = setup();
    const idle = track(scheduler.idle());
    await settle();
    expect(idle.state).toBe("fulfilled");
  });

  it("idle waits until every task has ended", async () => {
    const { scheduler } = setup();
    const { promise, open } = gate();
    const ended: string[] = [];
    scheduler.run(async () => {
      await promise;
      ended.push("task");
    });
    const idle = track(scheduler.idle());
    await settle();
    expect(idle.state).toBe("pending");
    open();
    await scheduler.idle();
    expect(ended).toEqual(["task"]);
    expect(idle.state).toBe("fulfilled");
  });

  it("idle waits for a task that another task started", async () => {
    const { scheduler } = setup();
    const ended: string[] = [];
    scheduler.run(async () => {
      await settle();
      scheduler.run(async () => {
        await wait(10);
        ended.push("inner");
      });
      ended.push("outer");
    });
    await scheduler.idle();
    expect(ended).toEqual(["outer", "inner"]);
  });

  it("runs the task at once, in the background", () => {
    const { scheduler } = setup();
    const started: string[] = [];
    scheduler.run(async () => {
      started.push("task");
    });
    expect(started).toEqual(["task"]);
  });
});

describe("sleep", () => {
  it("resolves at once for 0 ms (and less), before any timer fires", async () => {
    const { scheduler } = setup();
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    await Promise.all([scheduler.sleep(0), scheduler.sleep(-5)]);
    order.push("slept");
    await settle();
    expect(order).toEqual(["slept", "timer"]);
  });

  it("resolves after the given milliseconds, not before", async () => {
    vi.useFakeTimers();
    const { scheduler } = setup();
    const sleep = track(scheduler.sleep(100));
    await vi.advanceTimersByTimeAsync(99);
    expect(sleep.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.state).toBe("fulfilled");
  });
});

describe("drain", () => {
  it("rejects every pending sleep with Cancelled", async () => {
    const { scheduler } = setup();
    const sleeps = [track(scheduler.sleep(FOREVER)), track(scheduler.sleep(FOREVER))];
    await scheduler.drain();
    await settle();
    for (const sleep of sleeps) {
      expect(sleep.state).toBe("rejected");
      expect(sleep.reason).toBeInstanceOf(Cancelled);
    }
  });

  it("resolves only when no task runs", async () => {
    const { scheduler } = setup();
    const events: string[] = [];
    scheduler.run(async () => {
      await wait(30); // not a scheduler wait: the drain cannot cut it short
      events.push("task ended");
    });
    await scheduler.drain();
    events.push("drained");
    expect(events).toEqual(["task ended", "drained"]);
  });

  it("resolves when a cancelled task starts a new sleep, which is cancelled too", async () => {
    const { scheduler } = setup();
    const caught: unknown[] = [];
    scheduler.run(async () => {
      for (;;) {
        try {
          await scheduler.sleep(FOREVER);
        } catch (error) {
          caught.push(error);
          if (caught.length === 3) return;
          await wait(10); // still draining: the next sleep is cancelled as it starts
        }
      }
    });
    await scheduler.drain();
    expect(caught).toHaveLength(3);
    expect(caught.every((e) => e instanceof Cancelled)).toBe(true);
  });

  it("rejects a sleep started while it runs at once, without waiting for its next round", async () => {
    const { scheduler } = setup();
    const { promise, open } = gate();
    scheduler.run(() => promise);
    const drained = scheduler.drain();
    const sleep = track(scheduler.sleep(FOREVER));
    await microtasks();
    expect(sleep.state).toBe("rejected");
    expect(sleep.reason).toBeInstanceOf(Cancelled);
    open();
    await drained;
  });

  it("releases a hang that a cancelled task starts while the drain runs", async () => {
    const { scheduler } = setup();
    const events: string[] = [];
    scheduler.run(async () => {
      await scheduler.sleep(FOREVER).catch(() => events.push("sleep cancelled"));
      await scheduler.hang(new AbortController().signal);
      events.push("hang released");
    });
    await scheduler.drain();
    expect(events).toEqual(["sleep cancelled", "hang released"]);
  });

  it("leaves the scheduler usable: a sleep after the drain waits its time", async () => {
    const { scheduler } = setup();
    await scheduler.drain();
    await expect(scheduler.sleep(5)).resolves.toBeUndefined();
    const sleep = track(scheduler.sleep(FOREVER));
    await settle();
    expect(sleep.state).toBe("pending");
    await scheduler.drain();
  });
});

describe("hang", () => {
  it("resolves when its signal aborts, not before", async () => {
    const { scheduler } = setup();
    const controller = new AbortController();
    const hang = track(scheduler.hang(controller.signal));
    await wait(10);
    expect(hang.state).toBe("pending");
    controller.abort();
    await settle();
    expect(hang.state).toBe("fulfilled");
  });

  it("resolves at once for a signal that has already aborted", async () => {
    const { scheduler } = setup();
    const hang = track(scheduler.hang(AbortSignal.abort()));
    await settle();
    expect(hang.state).toBe("fulfilled");
  });

  it("resolves on a drain", async () => {
    const { scheduler } = setup();
    const hang = track(scheduler.hang(new AbortController().signal));
    await scheduler.drain();
    await settle();
    expect(hang.state).toBe("fulfilled");
  });
});

describe("close", () => {
  it("cancels pending sleeps and releases hangs, as a drain does", async () => {
    const { scheduler } = setup();
    const sleep = track(scheduler.sleep(FOREVER));
    const hang = track(scheduler.hang(new AbortController().signal));
    await scheduler.close();
    await settle();
    expect(sleep.state).toBe("rejected");
    expect(sleep.reason).toBeInstanceOf(Cancelled);
    expect(hang.state).toBe("fulfilled");
  });

  it("then rejects every new sleep with Cancelled, even of 0 ms", async () => {
    const { scheduler } = setup();
    await scheduler.close();
    await expect(scheduler.sleep(FOREVER)).rejects.toBeInstanceOf(Cancelled);
    await expect(scheduler.sleep(0)).rejects.toBeInstanceOf(Cancelled);
  });

  it("then resolves every new hang at once", async () => {
    const { scheduler } = setup();
    await scheduler.close();
    const hang = track(scheduler.hang(new AbortController().signal));
    await settle();
    expect(hang.state).toBe("fulfilled");
  });
});

describe("a task's failure", () => {
  it("is logged through log, with the error", async () => {
    const { scheduler, log } = setup();
    const boom = new Error("boom");
    scheduler.run(async () => {
      throw boom;
    });
    await scheduler.idle();
    expect(log.mock.calls).toEqual([["error", "a background job failed", boom]]);
  });

  it("is not logged when it is a Cancelled", async () => {
    const { scheduler, log } = setup();
    scheduler.run(async () => {
      throw new Cancelled();
    });
    await scheduler.idle();
    expect(log).not.toHaveBeenCalled();
  });

  it("is not logged when a drain cancelled the task's sleep", async () => {
    const { scheduler, log } = setup();
    scheduler.run(() => scheduler.sleep(FOREVER));
    await scheduler.drain();
    expect(log).not.toHaveBeenCalled();
  });

  it("is not logged when the task was born before a drain, whatever it throws", async () => {
    const { scheduler, log } = setup();
    scheduler.run(async () => {
      await scheduler.sleep(FOREVER).catch(() => undefined);
      throw new Error("the world is gone");
    });
    await scheduler.drain();
    expect(log).not.toHaveBeenCalled();
  });

  it("is logged for a task born after a drain", async () => {
    const { scheduler, log } = setup();
    await scheduler.drain();
    const late = new Error("late");
    scheduler.run(async () => {
      throw late;
    });
    await scheduler.idle();
    expect(log.mock.calls).toEqual([["error", "a background job failed", late]]);
  });

  it("does not reject idle", async () => {
    const { scheduler } = setup();
    scheduler.run(async () => {
      throw new Error("boom");
    });
    await expect(scheduler.idle()).resolves.toBeUndefined();
  });
});
