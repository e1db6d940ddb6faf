export { default as openapiTS, astToString } from "openapi-typescript";
export type { OpenAPITSOptions } from "openapi-typescript";
