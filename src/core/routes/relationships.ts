/**
 * `relationships` of a package create (`RelationshipValidator`, `ToOneRelationshipValidator`
 * and `GuidValidator` in `app/messages/validators.rb`, `PackageCreateMessage::Relationships`).
 */
import { isPlainObject, unknownFieldsMessage } from "../validation.js";

const APP_SHAPE = 'Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"';

/** Rails' `blank?` for a JSON value: null, false, a whitespace-only string, an empty array or object. */
export function blank(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

const onlyKey = (value: unknown, key: string): value is Record<string, unknown> =>
  isPlainObject(value) && Object.keys(value).length === 1 && Object.keys(value)[0] === key;

/**
 * Pushes the controller's messages for `relationships` onto `messages`; answers the app guid
 * when the relationship is well formed (null when its `data` is null: the app lookup then fails).
 */
export function validateAppRelationship(rel: unknown, messages: string[]): string | null {
  if (!isPlainObject(rel)) {
    messages.push("Relationships 'relationships' is not an object");
    return null;
  }
  if (Object.keys(rel).length === 0) {
    messages.push("Relationships 'relationships' must include one or more valid relationships");
    return null;
  }
  const unknown = unknownFieldsMessage(Object.keys(rel), ["app"]);
  if (unknown) messages.push(`Relationships ${unknown}`);
  const app = rel.app;
  if (blank(app)) messages.push("Relationships App can't be blank");
  if (!onlyKey(app, "data") || !(app.data === null || onlyKey(app.data, "guid"))) {
    messages.push(APP_SHAPE);
    return null;
  }
  if (app.data === null) return null;
  const guid = app.data.guid;
  if (typeof guid !== "string") messages.push("Relationships App guid must be a string");
  const length = typeof guid === "string" ? Array.from(guid).length : 0;
  if (length < 1 || length > 200) messages.push("Relationships App guid must be between 1 and 200 characters");
  return typeof guid === "string" ? guid : null;
}

/** `relationships.app.data.guid` as a copy reads it (`dig`): a string, or null. */
export function appGuidOf(rel: unknown): string | null {
  return isPlainObject(rel) &&
    isPlainObject(rel.app) &&
    isPlainObject(rel.app.data) &&
    typeof rel.app.data.guid === "string"
    ? rel.app.data.guid
    : null;
}
