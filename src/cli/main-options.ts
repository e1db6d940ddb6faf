/** What `main` takes, and the exit codes it answers. */
export interface MainOptions {
  args: string[];
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Where the MOCK_PACKAGES_* variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Resolves to stop a running server (tests); by default SIGINT and SIGTERM stop it. */
  stopSignal?: Promise<void>;
  /** Called once the server listens, with its URL. */
  onListening?: (url: string) => void;
}

/** Exit codes: 0 success, 1 runtime failure (e.g. port in use), 2 bad usage. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;
