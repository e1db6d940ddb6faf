/**
 * Model-based state tests (issue 11): fast-check generates sequences of create, upload (a good
 * zip, a bad zip, resources only), copy, delete, download, show, list, scenario bindings and
 * reset; each runs against the simulator and against a small reference model of what the Cloud
 * Controller would answer (support/model.ts, commands in support/model-commands.ts). Expiry comes
 * from the uploads themselves (more than five finished packages of an app). Every answer is
 * checked against spec/openapi.yaml by the client.
 *
 * Both through the HTTP server (file store) and in process (memory store).
 *
 * Replay a failure with the seed it prints: MODEL_SEED=<n> npx vitest run test/model.test.ts
 * (MODEL_RUNS=<n> runs more sequences per adapter). It also prints the command that replays only
 * the shrunk sequence: MODEL_PATH=<path> MODEL_REPLAY=<replayPath> with the same seed.
 *
 * Generated cases the model leaves out: copies from docker packages or from or into the
 * suspended app (what the controller answers there is not pinned by the reference), and packages
 * created in the docker app (no bits package there). Copies of an unknown source and into the
 * source's own app are generated and get the controller's 422s (see copyAnswers in support/model.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter } from "./support/client.js";
import { setup } from "./support/client.js";
import { initialModel, type ScenarioName } from "./support/model.js";
import {
  BindScenario,
  Copy,
  Create,
  CreateAndUpload,
  Delete,
  Download,
  List,
  Reset,
  Show,
  Upload,
  type ModelCommand,
  type Real,
  type Target,
  type UploadKind,
} from "./support/model-commands.js";

const SEED = Number(process.env.MODEL_SEED ?? 1111);
/** Sequences per adapter. */
const RUNS = Number(process.env.MODEL_RUNS ?? 16);
/** fast-check's `path` and the commands' `replayPath` of a failure: together they replay its shrunk sequence. */
const PATH = process.env.MODEL_PATH;
const REPLAY_PATH = process.env.MODEL_REPLAY;
const MAX_COMMANDS = 40;
/** The fuzz run's way, in process: many short sequences (MODEL_SHORT_RUNS=<n> for more). */
const SHORT_RUNS = Number(process.env.MODEL_SHORT_RUNS ?? 60);
const SHORT_COMMANDS = 6;
const REPLAY = `MODEL_SEED=${SEED} npx vitest run test/model.test.ts`;

const target: fc.Arbitrary<Target> = fc.record({
  from: fc.constantFrom("recent" as const, "recent" as const, "recent" as const, "live" as const, "any" as const),
  pick: fc.nat(50),
});
/** web-app (0) most often, so that its packages reach the expiry limit; worker-app (1); suspended-app (2). */
const app = fc.oneof(fc.constant(0), fc.nat(2));
const uploadKind: fc.Arbitrary<UploadKind> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("zip" as const), index: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "bad" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("resources" as const), index: fc.nat(5) }) },
);
const scenario = fc.constantFrom<ScenarioName | null>("processing-fails", "expires", "rate-limited", null);
const boundBeforeUpload = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: scenario });

/** Each kind of command, with how often it comes. */
const WEIGHTED: Array<[number, fc.Arbitrary<ModelCommand>]> = [
  [1, app.map((a) => new Create(a))],
  [2, fc.tuple(target, uploadKind).map(([t, k]) => new Upload(t, k))],
  [4, fc.tuple(app, uploadKind, boundBeforeUpload).map(([a, k, s]) => new CreateAndUpload(a, k, s))],
  [3, fc.tuple(target, app).map(([t, a]) => new Copy(t, a))],
  [2, target.map((t) => new Delete(t))],
  [3, target.map((t) => new Download(t))],
  [1, target.map((t) => new Show(t))],
  [1, fc.tuple(app, fc.constantFrom("app" as const, "filter" as const)).map(([a, f]) => new List(a, f))],
  [1, fc.tuple(target, scenario).map(([t, s]) => new BindScenario(t, s))],
  [1, fc.constant(new Reset())],
];
const commands = WEIGHTED.flatMap(([weight, arbitrary]) => Array.from({ length: weight }, () => arbitrary));

const ADAPTERS: Adapter[] = ["in-process", "http"];

describe.each(ADAPTERS)("model-based state (%s)", (adapter) => {
  let real: Real;
  let close: () => Promise<void>;
  // A clock that never stands still: packages are created in a strict order, as the model orders them.
  let last = 0;
  const now = () => (last = Math.max(Date.now(), last + 1));

  beforeAll(async () => {
    const s = await setup({ processingDelay: 0, resourceCacheMinSize: 1, now }, adapter);
    real = { sim: s.sim, api: s.api };
    close = s.close;
  });
  afterAll(() => close());

  it(`answers as the reference model over ${RUNS} sequences of up to ${MAX_COMMANDS} commands (seed ${SEED})`, async () => {
    await runModel(real, `${adapter}`, RUNS, MAX_COMMANDS);
  }, 120_000);

  it.runIf(adapter === "in-process")(
    `answers as the reference model over ${SHORT_RUNS} sequences of up to ${SHORT_COMMANDS} commands (seed ${SEED})`,
    async () => {
      await runModel(real, `${adapter}, short`, SHORT_RUNS, SHORT_COMMANDS);
    },
    120_000,
  );
});

/** `runs` sequences of up to `maxCommands` commands, each from a reset simulator; a failure says how to replay it. */
async function runModel(real: Real, label: string, runs: number, maxCommands: number): Promise<void> {
  let sequences = 0;
  let steps = 0;
  const started = performance.now();
  const property = fc.asyncProperty(
    fc.commands(commands, { maxCommands, size: "max", replayPath: REPLAY_PATH }),
    async (cmds) => {
      sequences++;
      const setupRun = async () => {
        await real.sim.reset();
        return { model: initialModel(real.sim), real };
      };
      await fc.asyncModelRun(
        setupRun,
        [...cmds].map((c) => counted(c, () => steps++)),
      );
    },
  );
  try {
    await fc.assert(property, { seed: SEED, numRuns: runs, path: PATH });
  } catch (error) {
    const message = (error as Error).message;
    const path = /path: "([^"]+)"/.exec(message)?.[1];
    const replayPath = /replayPath="([^"]+)"/.exec(message)?.[1];
    const exact = path && replayPath ? `MODEL_PATH=${path} MODEL_REPLAY='${replayPath}' ${REPLAY}` : REPLAY;
    (error as Error).message =
      `model run failed (${label}) — replay: ${REPLAY}\nthe shrunk sequence alone: ${exact}\n${message}`;
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`model (${label}): ${sequences} sequences, ${steps} commands, ${seconds.toFixed(1)} s, seed ${SEED}`);
  expect(steps).toBeGreaterThan(0);
}

/** The command as it is, counting the times it runs. */
function counted(command: ModelCommand, count: () => void): ModelCommand {
  return {
    check: (m) => command.check(m),
    run: (m, r) => {
      count();
      return command.run(m, r);
    },
    toString: () => command.toString(),
  };
}
