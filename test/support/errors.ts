/**
 * The Cloud Controller's error envelope, as the tests expect it.
 */
import { expect } from "vitest";
import type { Answer } from "./client.js";

export const NOT_AUTHORIZED = "You are not authorized to perform the requested action";

/** Exactly one error with this detail, title and code, its keys in the real order (detail, title, code). */
export function expectError(answer: Answer, status: number, title: string, code: number, detail: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.json).toEqual({ errors: [{ detail, title, code }] });
  expect(Object.keys(answer.json.errors[0])).toEqual(["detail", "title", "code"]);
}

/** 422 CF-UnprocessableEntity with this detail. */
export function expect422(answer: Answer, detail: string): void {
  expectError(answer, 422, "CF-UnprocessableEntity", 10008, detail);
}
