// Types of scripts/ensure-built.mjs, for the tests that import it (test/support/build.ts).
export declare const BUILD_INPUTS: readonly string[];
export declare const BUILD_OUTPUTS: readonly string[];
export declare function isBuilt(root: string): boolean;
export declare function ensureBuilt(root: string, options?: { onBuild?: () => void }): Promise<boolean>;
