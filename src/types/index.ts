/**
 * Friendly names for the bodies that spec/openapi.yaml describes, over the
 * generated `./openapi.ts` (regenerate it with `npm run generate:types`).
 *
 * @example
 * import type { Package } from "mock-packages";
 * const pkg = (await (await sim.request(`/v3/packages/${guid}`, { token })).json()) as Package;
 * if (pkg.state === "FAILED") console.log(pkg.data.error);
 */
import type { components, operations, paths } from "./openapi.js";

type Schemas = components["schemas"];

/** A package (`GET /v3/packages/{guid}`, the upload's 200 and 202, `POST /v3/packages`' 201). */
export type Package = Schemas["Package"];
/** A page of packages (`GET /v3/packages`, `GET /v3/apps/{guid}/packages`). */
export type PackageList = Schemas["PackageList"];
/** The body of `POST /v3/packages`. */
export type PackageCreate = Schemas["PackageCreate"];
/** The body of `PATCH /v3/packages/{guid}`. */
export type PackageUpdate = Schemas["PackageUpdate"];
/** The parsed `resources` field of an upload's multipart form. */
export type UploadResource = Schemas["UploadResource"];
/** An asynchronous job (`GET /v3/jobs/{guid}`): `package.delete`, or the seed's `package.upload`. */
export type Job = Schemas["Job"];
/** The Cloud Controller error envelope, `{"errors": [{"detail", "title", "code"}]}`. */
export type CfErrors = Schemas["Errors"];
/** One entry of {@link CfErrors}. */
export type CfErrorItem = Schemas["ErrorItem"];
/** An app (`GET /v3/apps/{guid}`). */
export type App = Schemas["App"];
/** A page of apps (`GET /v3/apps`). */
export type AppList = Schemas["AppList"];
/** A feature flag (`GET /v3/feature_flags/{name}`). */
export type FeatureFlag = Schemas["FeatureFlag"];
/** A page of feature flags (`GET /v3/feature_flags`). */
export type FeatureFlagList = Schemas["FeatureFlagList"];
/** The body of `PATCH /v3/feature_flags/{name}`. */
export type FeatureFlagUpdate = Schemas["FeatureFlagUpdate"];
/** The response of `POST /v3/resource_matches`. */
export type ResourceMatchList = Schemas["ResourceMatchList"];
/** The request of `POST /v3/resource_matches`: looser than the response (`path` optional, other keys allowed). */
export type ResourceMatchRequest = Schemas["ResourceMatchRequest"];
/** One entry of {@link ResourceMatchList}. */
export type ResourceMatchEntry = Schemas["ResourceMatchEntry"];
/** The `pagination` object of every list. */
export type Pagination = Schemas["Pagination"];
/** `GET /`. */
export type RootDocument = Schemas["RootDocument"];
/** `GET /v3`. */
export type V3RootDocument = Schemas["V3RootDocument"];

/** The generated `paths`, `components` and `operations` of the document, under names that say where they come from. */
export type { paths as OpenApiPaths, components as OpenApiComponents, operations as OpenApiOperations };
