/**
 * The event-loop probe of `npm run worst-case`, in a worker thread of its own, so that
 * the script's main thread (busy streaming a hostile body) never delays it.
 *
 * It sends one small request after another on one kept-alive connection and notes how
 * long each took to be answered: while the server's event loop is blocked, the probe
 * waiting at that moment is answered late by as much. On "stop" it posts every sample,
 * [start, ms] with start in ms since the epoch (performance.timeOrigin + now(): the
 * same clock in every thread), the one still waiting counted up to now.
 */
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { url, gapMs } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const now = () => performance.timeOrigin + performance.now();
const samples = [];
let waitingSince = null;
let stopping = false;

/** One probe: resolves when it is answered or fails (a server that died or dropped the connection). */
function probe() {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", resolve);
      res.on("error", resolve);
    });
    req.on("error", resolve);
    req.end();
  });
}

parentPort.on("message", (message) => {
  if (message !== "stop") return;
  stopping = true;
  if (waitingSince !== null) samples.push([waitingSince, now() - waitingSince]);
  parentPort.postMessage(samples);
  agent.destroy(); // the main thread terminates the worker once it has the samples
});

while (!stopping) {
  waitingSince = now();
  await probe();
  if (stopping) break;
  samples.push([waitingSince, now() - waitingSince]);
  waitingSince = null;
  await new Promise((r) => setTimeout(r, gapMs));
}
