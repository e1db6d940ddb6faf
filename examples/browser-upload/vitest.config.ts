import { defineConfig } from "vitest/config";

// Its own config, so that vitest does not take the repository's from the folder above.
export default defineConfig({ test: { include: ["test/**/*.test.ts"] } });
