/**
 * Guids that depend on names only: the same world file, or the same fixture
 * user, gets the same guids on every run, machine and seed.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** A stable guid for a name: a UUID-shaped slice of its SHA-1 (like RFC 4122 version 5). */
export function stableGuid(namespace: string, name: string): string {
  const h = bytesToHex(sha1(new TextEncoder().encode(`mock-packages:${namespace}:${name}`)));
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The guid of a fixture user (the `user_id` of its tokens). */
export function userGuid(name: string): string {
  return stableGuid("user", name);
}
