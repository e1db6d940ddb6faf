/** The error every assertion helper throws: its message says what was expected and what was found. */
export class MockPackagesAssertionError extends Error {
  constructor(message: string) {
    super(`[mock-packages] ${message}`);
    this.name = "MockPackagesAssertionError";
  }
}
