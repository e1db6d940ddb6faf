/**
 * The simulator's live events, as Server-Sent Events (`GET /__mock/events`): packages that
 * change, journal entries added, scenario changes and resets. Each subscriber gets a stream of
 * its own; the hub never waits for one.
 *
 * Bounded: a subscriber that reads slower than events come (a stalled tab, a client that left
 * without the socket saying so) has at most {@link MAX_QUEUED_BYTES} queued for it; past that its
 * stream is ended with an error, which drops its connection, and it is forgotten. A client that
 * reconnects reads the state afresh (`GET /__mock/world`, `GET /__mock/journal`), so nothing is
 * lost but the time. `close()` ends every stream, so no open stream keeps a server or process alive.
 */

/** The most bytes of events queued for one subscriber before its stream is dropped. */
export const MAX_QUEUED_BYTES = 256 * 1024;
/** Most subscribers at once; a newer one past that drops the oldest (a page reloaded many times). */
export const MAX_SUBSCRIBERS = 64;
/** A comment line this often keeps idle connections open through proxies and finds dead ones. */
const KEEP_ALIVE_MS = 20_000;

export type EventType = "package" | "journal" | "scenario" | "reset" | "hello";

export interface EventHub {
  /** Sends an event to every subscriber. `data` is serialised once, as JSON. */
  publish(type: EventType, data: unknown): void;
  /** A new subscriber's stream: `retry`, a `hello` event, then every event published after. */
  subscribe(): ReadableStream<Uint8Array>;
  /** How many subscribers are connected (for tests and the dashboard). */
  size(): number;
  /** Ends every stream; later subscribers get a stream that ends at once. */
  close(): void;
}

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
}

export function createEventHub(): EventHub {
  const subscribers = new Set<Subscriber>();
  const encoder = new TextEncoder();
  let nextId = 0;
  let closed = false;
  let keepAlive: ReturnType<typeof setInterval> | null = null;

  const drop = (sub: Subscriber, why?: Error) => {
    if (!subscribers.delete(sub)) return;
    try {
      if (why) sub.controller.error(why);
      else sub.controller.close();
    } catch {
      /* already closed by its reader */
    }
    if (subscribers.size === 0 && keepAlive !== null) {
      clearInterval(keepAlive);
      keepAlive = null;
    }
  };

  const send = (sub: Subscriber, chunk: Uint8Array) => {
    try {
      sub.controller.enqueue(chunk);
    } catch {
      drop(sub);
      return;
    }
    // desiredSize is the high-water mark less what is queued: below zero, the reader is too slow.
    if ((sub.controller.desiredSize ?? 0) < 0) {
      drop(sub, new Error(`mock-packages: event stream dropped: over ${MAX_QUEUED_BYTES} bytes unread`));
    }
  };

  const startKeepAlive = () => {
    if (keepAlive !== null) return;
    const comment = encoder.encode(": keep-alive\n\n");
    keepAlive = setInterval(() => {
      for (const sub of [...subscribers]) send(sub, comment);
    }, KEEP_ALIVE_MS);
    // Node's timers keep the process alive unless unref'd; browsers' timers have no unref.
    (keepAlive as { unref?: () => void }).unref?.();
  };

  return {
    publish(type, data) {
      if (subscribers.size === 0) return;
      const chunk = encoder.encode(`id: ${++nextId}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      for (const sub of [...subscribers]) send(sub, chunk);
    },
    subscribe() {
      let sub: Subscriber;
      return new ReadableStream<Uint8Array>(
        {
          start(controller) {
            sub = { controller };
            if (closed) {
              controller.close();
              return;
            }
            if (subscribers.size >= MAX_SUBSCRIBERS) drop(subscribers.values().next().value!);
            subscribers.add(sub);
            startKeepAlive();
            controller.enqueue(encoder.encode(`retry: 1000\nevent: hello\ndata: {}\n\n`));
          },
          cancel() {
            drop(sub);
          },
        },
        { highWaterMark: MAX_QUEUED_BYTES, size: (chunk) => chunk.byteLength },
      );
    },
    size: () => subscribers.size,
    close() {
      closed = true;
      for (const sub of [...subscribers]) drop(sub);
    },
  };
}
