// openapi-typescript builds its output with the TypeScript 5 compiler API (ts.factory,
// ts.createPrinter). The root's TypeScript 7 (the native compiler) has no such API, so
// openapi-typescript is installed here, beside its own TypeScript 5, and re-exported.
export { default as openapiTS, astToString } from "openapi-typescript";
