/**
 * The dashboard's one client of the simulator. Every URL is built from one base: the server's
 * root ("" for a server at its root, or the prefix the page is served under, `<root>/__mock/ui/`),
 * or, when the page looks at a sandbox, that sandbox's prefix under it (`<root>/sandboxes/ID`).
 * Switching sandboxes changes `sandbox`, and with it every admin call, the event stream and the
 * upload; only the sandboxes' own admin API (`serverGet`, `serverSend`) stays on the root.
 */
/** A problem the simulator answered with: its status and the CF error's detail, or the text. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface EventHandlers {
  /** Each event: its type and parsed data. */
  onEvent(type: string, data: unknown): void;
  /** Connected (true) or lost (false); on each reconnect the page reads its state afresh. */
  onConnection(connected: boolean): void;
}

const TOKEN_KEY = "mock-packages.admin-token";

export class Api {
  /** The admin token, when the server needs one (it listens beyond this machine). */
  adminToken: string | null;

  /** The sandbox the page looks at; null for the default sandbox (the server's own state). */
  sandbox: string | null = null;

  constructor(readonly root: string) {
    this.adminToken = sessionStorage.getItem(TOKEN_KEY);
  }

  /** Where the simulator the page looks at answers: the root, or the sandbox's prefix under it. */
  get base(): string {
    return this.sandbox === null ? this.root : `${this.root}/sandboxes/${encodeURIComponent(this.sandbox)}`;
  }

  /** The page's root: the path before `/__mock/ui/`. */
  static fromLocation(location: Location): Api {
    const at = location.pathname.indexOf("/__mock/ui");
    return new Api(at > 0 ? location.pathname.slice(0, at) : "");
  }

  setAdminToken(token: string | null): void {
    this.adminToken = token;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  /** A path of the admin API: `/world` → `<base>/__mock/world`. */
  admin(path: string): string {
    return `${this.base}/__mock${path}`;
  }

  /** A path of the Cloud Controller's API (the upload), on the same base. */
  cf(path: string): string {
    return `${this.base}${path}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    // X-Mock-Packages marks a change sent from a page (admin-guard.ts asks for it or a JSON body).
    const headers: Record<string, string> = { "X-Mock-Packages": "1", ...extra };
    if (this.adminToken) headers.Authorization = `bearer ${this.adminToken}`;
    return headers;
  }

  /** GET of the admin API of the simulator the page looks at. */
  async get<T>(path: string): Promise<T> {
    return this.read<T>(await fetch(this.admin(path), { headers: this.headers() }));
  }

  /** A change through the admin API of the simulator the page looks at; null for a 204. */
  send<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    return this.call<T>(this.admin(path), method, body);
  }

  /** GET of the server's own admin API (the sandboxes' list), whatever sandbox the page looks at. */
  async serverGet<T>(path: string): Promise<T> {
    return this.read<T>(await fetch(`${this.root}/__mock${path}`, { headers: this.headers() }));
  }

  /** A change through the server's own admin API (create, reset, delete a sandbox). */
  serverSend<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    return this.call<T>(`${this.root}/__mock${path}`, method, body);
  }

  private async call<T>(url: string, method: string, body?: unknown): Promise<T | null> {
    const init: RequestInit = {
      method,
      headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(url, init);
    if (response.status === 204) return null;
    return this.read<T>(response);
  }

  private async read<T>(response: Response): Promise<T> {
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, problemOf(response.status, text));
    return JSON.parse(text) as T;
  }

  /**
   * Follows `GET /__mock/events`, read with fetch (not EventSource, which cannot send the admin
   * token), and reconnects a second after a drop. Returns a function that stops it.
   */
  follow(handlers: EventHandlers): () => void {
    let stopped = false;
    let controller: AbortController | null = null;
    const run = async () => {
      while (!stopped) {
        controller = new AbortController();
        try {
          const response = await fetch(this.admin("/events"), { headers: this.headers(), signal: controller.signal });
          if (!response.ok || !response.body) throw new ApiError(response.status, "event stream refused");
          handlers.onConnection(true);
          await readEvents(response.body, handlers.onEvent);
        } catch {
          /* dropped or refused: said below, then tried again */
        }
        if (stopped) return;
        handlers.onConnection(false);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    void run();
    return () => {
      stopped = true;
      controller?.abort();
    };
  }
}

/** The CF error's detail (or title), else the start of the text. */
export function problemOf(status: number, text: string): string {
  try {
    const error = JSON.parse(text).errors?.[0];
    if (error) return `${status} ${error.title}: ${error.detail}`;
  } catch {
    /* not JSON */
  }
  return `${status}: ${text.slice(0, 200)}`;
}

/** Parses a text/event-stream body (the WHATWG rules that matter here: event, data, comments). */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: EventHandlers["onEvent"]): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(type, JSON.parse(data.join("\n")));
    }
  }
}
