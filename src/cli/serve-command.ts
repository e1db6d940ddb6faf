/**
 * `mock-packages` (or `mock-packages serve`): the simulator over HTTP on a file
 * store, a start-up banner, one log line per request, and a clean stop on
 * Ctrl-C or SIGTERM.
 */
import { createSimulator, type Simulator } from "../core/simulator.js";
import type { SimulatorOptions } from "../core/options.js";
import { createFileStore } from "../node/file-store.js";
import { serve, type RequestLogEntry } from "../node/server.js";
import { rmSync, writeFileSync } from "node:fs";
import { EXIT, type MainOptions } from "./main-options.js";
import { adminTokenLine, exposureWarning } from "./admin-access.js";

export async function runServer(
  simOptions: SimulatorOptions,
  {
    port,
    host,
    basePath,
    quiet,
    adminTokenGenerated,
    pidFile,
  }: {
    port: number;
    host: string;
    basePath?: string;
    quiet: boolean;
    adminTokenGenerated?: boolean;
    pidFile?: string;
  },
  options: MainOptions,
  say: (s: string) => void,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  let removePidFile = () => {};
  try {
    if (pidFile) removePidFile = writePidFile(pidFile);
  } catch (error) {
    stderr.write(`mock-packages: cannot write the --pid-file ${pidFile}: ${(error as Error).message}\n`);
    return EXIT.FAILURE;
  }
  const store = createFileStore();
  const disposeOnExit = () => store.dispose();
  process.once("exit", disposeOnExit);
  const sim = createSimulator({ ...simOptions, store });
  // Listen for the stop signal before anything else, so that a signal sent right after start-up is not lost.
  const stopped = new Promise<void>((resolve) => {
    if (options.stopSignal) void options.stopSignal.then(() => resolve());
    else {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }
  });
  let running;
  try {
    await sim.ready;
    running = await serve({
      simulator: sim,
      port,
      host,
      basePath,
      onRequest: quiet ? undefined : (e) => say(logLine(e)),
    });
  } catch (error) {
    await sim.close();
    store.dispose();
    process.off("exit", disposeOnExit);
    removePidFile();
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") {
      stderr.write(
        `mock-packages: port ${port} on ${host} is already in use. Stop the other server or pick another port with --port (0 picks a free one).\n`,
      );
      return EXIT.FAILURE;
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      stderr.write(
        `mock-packages: cannot listen on ${host}: no such address on this machine. Use --host 127.0.0.1 or an address of this machine.\n`,
      );
      return EXIT.FAILURE;
    }
    throw error;
  }
  const access = { adminToken: simOptions.adminToken, generated: !!adminTokenGenerated };
  const warning = exposureWarning(host, { ...access, admin: sim.options.admin, signingKey: simOptions.signingKey });
  if (warning) stderr.write(`${warning}\n`);
  const tokenLine = sim.options.admin ? adminTokenLine(access) : null;
  const dashboard = sim.options.admin ? dashboardLine(running.url, access) : null;
  const sandboxes = sim.options.admin ? sandboxesLine(running.url, sim.options) : null;
  const lines = [tokenLine, dashboard, sandboxes];
  printBanner(sim, running.url, store.directory, !!simOptions.signingKey, lines, say);
  options.onListening?.(running.url);

  await stopped;
  say("mock-packages: stopping");
  removePidFile();
  await running.close();
  await sim.close();
  store.dispose();
  process.off("exit", disposeOnExit);
  return EXIT.OK;
}

/**
 * Where the dashboard is. With an admin token the command made up, the link carries it in its
 * fragment (`#token=…`, never sent to the server), as the banner prints that token anyway.
 */
function dashboardLine(url: string, access: { adminToken?: string; generated: boolean }): string {
  const page = `${url}/__mock/ui/`;
  if (!access.adminToken) return `Dashboard: ${page}`;
  if (access.generated) return `Dashboard: ${page}#token=${encodeURIComponent(access.adminToken)}`;
  return `Dashboard: ${page} (it asks for the admin token)`;
}

/** How to make a sandbox, and the limits (`--max-sandboxes`, `--sandbox-idle-timeout`). */
function sandboxesLine(url: string, o: { maxSandboxes: number; sandboxIdleTimeout: number }): string {
  const idle = o.sandboxIdleTimeout > 0 ? `deleted after ${o.sandboxIdleTimeout} s idle` : "never expire";
  return `Sandboxes: POST ${url}/__mock/sandboxes (at most ${o.maxSandboxes}, ${idle})`;
}

/** One request's log line: the time it ended (ISO 8601, ms), method, path, status, duration, and the scenario of an upload. */
export function logLine(e: RequestLogEntry): string {
  const outcome = e.dropped ? "dropped" : e.aborted ? "aborted" : e.status;
  const scenario = e.scenario ? ` scenario=${e.scenario}` : "";
  return `${new Date().toISOString()} ${e.method} ${e.path} ${outcome} ${e.ms.toFixed(1)}ms${scenario}`;
}

/** `--pid-file FILE`: the process id, written now; the returned function removes it (also run on exit). */
function writePidFile(file: string): () => void {
  writeFileSync(file, `${process.pid}\n`);
  const remove = () => rmSync(file, { force: true });
  process.once("exit", remove);
  return () => {
    remove();
    process.off("exit", remove);
  };
}

/** What the server holds and how to reach it: the users (for tokens), the packages, the scenario, the admin token, the URL. */
function printBanner(
  sim: Simulator,
  url: string,
  directory: string,
  ownKey: boolean,
  adminLines: Array<string | null>,
  say: (s: string) => void,
): void {
  say(`Users (token: npx mock-packages token --user NAME${ownKey ? " --signing-key KEY" : ""}):`);
  for (const user of sim.state.users.values()) {
    const roles = [
      user.globalRole,
      ...(user.orgRoles ?? [])
        .filter((r) => r.role !== "org_user")
        .map((r) => `${r.role}@${sim.state.orgs.get(r.orgGuid)?.name}`),
      ...(user.spaceRoles ?? []).map((r) => `${r.role}@${sim.state.spaces.get(r.spaceGuid)?.name}`),
    ].filter(Boolean);
    const own = user.password !== undefined ? " (password from the world file)" : "";
    say(`  ${user.name.padEnd(20)} ${roles.join(", ") || "(no roles)"}${own}`);
  }
  say(`Every user's password is 'password' unless the world file sets one. With the cf CLI:`);
  say(`  cf api ${url} && cf auth space-developer password`);
  say(`  (client credentials: cf auth admin-client secret --client-credentials)`);
  say("");
  printWorld(sim, say);
  say("");
  say(`Scenario: ${sim.scenario.name}${sim.options.admin ? ` (change it: PUT ${url}/__mock/scenario)` : ""}`);
  say(
    sim.state.blobstore === "local"
      ? "Downloads: 200 with the zip (local blobstore)"
      : "Downloads: 302 to a signed blob URL, good for an hour (remote blobstore; --blobstore local answers 200)",
  );
  for (const line of adminLines) if (line) say(line);
  say(`Bits are kept in ${directory} (removed on exit)`);
  say(`mock-packages listening on ${url} (Ctrl-C stops it)`);
}

/** The orgs, spaces and apps with their guids (two apps of one name in two spaces stay apart), then the packages. */
function printWorld(sim: Simulator, say: (s: string) => void): void {
  say("Orgs, spaces and apps:");
  for (const org of sim.state.orgs.values()) {
    say(`  org   ${org.name}  ${org.guid}`);
    for (const space of sim.state.spaces.values()) {
      if (space.orgGuid !== org.guid) continue;
      say(`    space ${space.name}  ${space.guid}`);
      for (const app of sim.state.apps.values()) {
        if (app.spaceGuid === space.guid) say(`      app ${app.name}  ${app.guid}`);
      }
    }
  }
  say("");
  say("Packages:");
  for (const pkg of sim.state.packages.values()) {
    const app = sim.state.apps.get(pkg.appGuid);
    const space = app ? sim.state.spaces.get(app.spaceGuid) : undefined;
    const where = app ? `${app.name} (app ${app.guid}, space ${space?.name ?? "?"})` : "";
    say(`  ${pkg.guid}  ${pkg.type.padEnd(6)} ${pkg.state.padEnd(17)} ${where}`);
  }
}
