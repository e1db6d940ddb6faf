/**
 * Hex digests, as the API shows them (SHA-1 for resources, SHA-256 for packages).
 */
import { createHash } from "node:crypto";

export const sha1 = (data: string | Uint8Array): string => createHash("sha1").update(data).digest("hex");
export const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
