import { fileURLToPath } from "node:url";

/** The OpenAPI document the contract checks against: the package's own `spec/openapi.yaml`. */
export const SPEC_PATH = fileURLToPath(new URL("../../spec/openapi.yaml", import.meta.url));
