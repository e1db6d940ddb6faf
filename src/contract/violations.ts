/**
 * The violations of one request, at most MAX_VIOLATIONS of them listed. Checks stop
 * looking once the list is full, so that a request breaking the contract a million
 * times costs about as much to check as one breaking it twenty times; one last line
 * says what the list leaves out.
 */
import type { ContractViolation } from "../core/journal/journal.js";

/** The most violations a verdict lists for one request, besides its one "… and more" line. */
export const MAX_VIOLATIONS = 20;

export class ViolationList {
  private readonly listed: ContractViolation[] = [];
  /** Violations found but not listed because the list was full. */
  private unlisted = 0;
  /** Where a check stopped early, with a location for the last line and what it says. */
  private stop: { location: string; text: string } | null = null;

  constructor(readonly cap: number = MAX_VIOLATIONS) {}

  /** How many more violations fit in the list. */
  get room(): number {
    return Math.max(0, this.cap - this.listed.length);
  }

  get full(): boolean {
    return this.room === 0;
  }

  /** Lists a violation, or counts it as not listed once the list is full. */
  add(violation: ContractViolation): void {
    if (this.full) this.unlisted++;
    else this.listed.push(violation);
  }

  /**
   * Records that a check stopped before the end of what it checks; `text` follows
   * "… and " in the last line (`more violations from body.resources[6] on: …`).
   */
  stopped(location: string, text: string): void {
    this.stop ??= { location, text };
  }

  /** The listed violations, then one line for what was left out, if anything was. */
  violations(): ContractViolation[] {
    const clauses: string[] = [];
    if (this.unlisted > 0) clauses.push(`${this.unlisted} more violation${this.unlisted === 1 ? "" : "s"} not listed`);
    if (this.stop) clauses.push(this.stop.text);
    if (clauses.length === 0) return [...this.listed];
    const location = this.stop && this.unlisted === 0 ? this.stop.location : "request";
    const why = this.full ? ` (the checker lists at most ${this.cap} violations per request)` : "";
    return [...this.listed, { location, message: `… and ${clauses.join(", and ")}${why}` }];
  }
}
