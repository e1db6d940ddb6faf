/** Small pieces the views share: state badges, copy buttons, times, short guids. */
import { h, type ComponentChildren } from "preact";
import type { Store } from "./store.js";

export function Badge({ state }: { state: string }) {
  return h("span", { class: `badge badge-${state.toLowerCase()}`, "data-state": state }, state);
}

export function shortGuid(guid: string): string {
  return guid.slice(0, 8);
}

export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour12: false });
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").slice(0, 19);
}

/** Copies a text to the clipboard, saying whether it could. */
export function CopyButton({ text, what, store }: { text: string; what: string; store: Store }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      store.say(`Copied the ${what} to the clipboard.`);
    } catch {
      store.say(`The browser refused the clipboard: select the ${what} and copy it by hand.`);
    }
  };
  return h("button", { type: "button", class: "small", onClick: copy }, `Copy ${what}`);
}

export function Empty({ children }: { children: ComponentChildren }) {
  return h("div", { class: "empty" }, children);
}

/** A shell command as the page's own origin and base would run it. */
export function origin(store: Store): string {
  return `${location.origin}${store.api.base}`;
}

/** A table's horizontal scroller: focusable, so that keyboard users can scroll it too (axe: scrollable-region-focusable). */
export function Scroll({ label, children }: { label: string; children?: ComponentChildren }) {
  return h("div", { class: "scroll", tabIndex: 0, role: "region", "aria-label": label }, children);
}
