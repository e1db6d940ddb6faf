/**
 * The event-loop probe as the main thread sees it: starts probe-worker.mjs against a
 * cheap route and, at the end, sums up its samples around the moment the hostile request began.
 */
import { Worker } from "node:worker_threads";

/**
 * The route probed: `GET /__mock/scenarios`, a small fixed JSON. A route under `/__mock/`,
 * because the journal does not record those: thousands of probes would otherwise fill it
 * and be counted in what the journal shapes measure.
 */
export const PROBE_PATH = "/__mock/scenarios";

export interface ProbeResult {
  /** The median answer time before the hostile request: what an answer costs when nothing blocks. */
  baselineMs: number;
  /** The longest answer time of a probe waiting at any moment after the hostile request began. */
  longestMs: number;
  /** Probes answered after it began. */
  count: number;
}

export interface Probe {
  /** Stops the probe; `from` is when the hostile request began (ms since the epoch). */
  stop(from: number): Promise<ProbeResult>;
}

export function startProbe(url: string, gapMs: number): Probe {
  const worker = new Worker(new URL("./probe-worker.mjs", import.meta.url), {
    workerData: { url: url + PROBE_PATH, gapMs },
  });
  return {
    async stop(from) {
      const samples = await new Promise<Array<[number, number]>>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage("stop");
      });
      await worker.terminate();
      const before = samples.filter(([start]) => start < from).map(([, ms]) => ms);
      const after = samples.filter(([start, ms]) => start + ms >= from).map(([, ms]) => ms);
      return {
        baselineMs: median(before),
        longestMs: after.reduce((a, b) => Math.max(a, b), 0),
        count: after.length,
      };
    },
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
