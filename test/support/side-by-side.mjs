#!/usr/bin/env node
// Runs the commands given as arguments at the same time, each through the shell, and shows
// their output as if they had run one after the other: the first live, each next one whole,
// in the order given, once the one before it has been shown. Exits 0 when every command
// did; otherwise with the first failure's status, after all have ended.
//
// npm test uses it for the example workspaces and the msw 3 run, which are independent
// and spend much of their time starting processes and browsers.
import { spawn } from "node:child_process";

const commands = process.argv.slice(2);
if (commands.length === 0) {
  console.error('usage: node test/support/side-by-side.mjs "<command>" ["<command>" …]');
  process.exit(2);
}

// Buffered output is no terminal to the commands: keep their colours when ours is one.
const env = process.stdout.isTTY && !("NO_COLOR" in process.env) ? { ...process.env, FORCE_COLOR: "1" } : process.env;

const runs = commands.map((command, i) => {
  const live = i === 0;
  const child = spawn(command, { shell: true, env, stdio: live ? "inherit" : ["ignore", "pipe", "pipe"] });
  const chunks = [];
  if (!live) {
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
  }
  const status = new Promise((resolve) => {
    child.on("error", (error) => {
      chunks.push(Buffer.from(`${error.message}\n`));
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  return { command, chunks, status };
});

let failed = 0;
for (const run of runs) {
  const code = await run.status;
  if (run.chunks.length) process.stdout.write(Buffer.concat(run.chunks));
  if (code !== 0) {
    console.error(`side-by-side: \`${run.command}\` failed with exit status ${code}`);
    failed ||= code;
  }
}
// exitCode, not exit(): the output written above is flushed first.
process.exitCode = failed;
