/**
 * Node entry point: the HTTP server and the file-backed blob store.
 *
 * @example
 * import { createSimulator } from "mock-packages";
 * import { serve, createFileStore } from "mock-packages/node";
 * const store = createFileStore();
 * const running = await serve({ simulator: createSimulator({ store }), port: 0 });
 */
export { serve } from "./server.js";
export type { RunningServer, ServeOptions } from "./server.js";
export { createFileStore } from "./file-store.js";
export type { FileStore, FileStoreOptions } from "./file-store.js";
export { WorldFileError, loadWorldFile } from "./world-file.js";
export type { WorldProblem } from "./world-file.js";
