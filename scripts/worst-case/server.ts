/**
 * The server under test for `npm run worst-case`: the real command as a child process,
 * and its memory read from /proc (Linux only).
 *
 * Peak memory is `VmHWM` in /proc/<pid>/status, the most resident memory the process
 * has had; writing 5 to /proc/<pid>/clear_refs lowers it to what the process uses now,
 * so that each hostile request is measured on its own (as in test/zip-bombs.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Resolves when the process has ended, with how: `died (SIGABRT: FATAL ERROR: … heap out of memory)`. */
  exited: Promise<string>;
  /** Whether the process has ended. */
  dead(): boolean;
  /** SIGTERM, then SIGKILL if it is not gone in 5 s. */
  stop(): Promise<void>;
}

/** Starts `node bin/mock-packages.mjs --port 0 --quiet …args` and waits until it listens. */
export function startServer(args: string[]): Promise<Server> {
  const argv = ["bin/mock-packages.mjs", "--port", "0", "--quiet", ...args];
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let errors = "";
  // Keep the end of what it prints to stderr: why it died, if it does.
  child.stderr!.on("data", (d: Buffer) => (errors = (errors + d).slice(-8192)));
  let dead = false;
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      dead = true;
      resolve(`died (${signal ?? `exit ${code}`}${lastWords(errors)})`);
    }),
  );
  const stop = async () => {
    if (dead) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        child.stdout!.removeAllListeners("data");
        child.stdout!.resume();
        resolve({ child, pid: child.pid!, url, exited, dead: () => dead, stop });
      }
    });
    void exited.then((how) => reject(new Error(`the server ${how} before listening:\n${out}\n${errors}`)));
  });
}

/** The telling line of what a dying Node process printed: `: out of memory`, `: RangeError: …`. */
function lastWords(stderr: string): string {
  if (/heap out of memory|Allocation failed/.test(stderr)) return ": out of memory";
  const fatal = stderr.split("\n").find((l) => /FATAL ERROR|Error:/.test(l));
  return fatal ? `: ${fatal.trim().slice(0, 80)}` : "";
}

/** A value from /proc/<pid>/status in MiB (`VmHWM`, `VmRSS`); NaN once the process is gone. */
export function statusMiB(pid: number, key: "VmHWM" | "VmRSS"): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Lowers the process's peak resident memory to what it uses now (Linux 4.0+). */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/**
 * Reads the peak every 50 ms, so that the last value is known even when the process dies
 * (there is no /proc/<pid> to read afterwards). `stop()` answers the highest value seen.
 */
export function watchPeak(pid: number): { stop(): number } {
  let highest = statusMiB(pid, "VmHWM");
  const read = () => {
    const now = statusMiB(pid, "VmHWM");
    if (now > highest) highest = now;
  };
  const timer = setInterval(read, 50);
  return {
    stop() {
      clearInterval(timer);
      read();
      return highest;
    },
  };
}
