/**
 * The contract checker runs on Prism (`@stoplight/prism-http`), an optional peer dependency of
 * mock-packages: a consumer who never checks contracts need not install it. Its modules are
 * therefore imported on first use, and a missing Prism is an error that says what to install.
 */

/** The package this entry point runs on, and the version it is tested with. */
export const PRISM = "@stoplight/prism-http";
export const PRISM_VERSION = "5.12.0";

/** Loads a module of the checker; a missing Prism becomes an error that says what to install. */
export async function withPrism<T>(importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(PRISM)) {
      throw new Error(
        `mock-packages/contract needs ${PRISM}, an optional peer dependency that is not installed. ` +
          `Install it beside mock-packages: npm install --save-dev ${PRISM}@${PRISM_VERSION}`,
        { cause: error },
      );
    }
    throw error;
  }
}
