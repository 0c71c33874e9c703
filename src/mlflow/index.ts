// MLflow knowledge: route table, path normalisation, route classification, id extraction.
export { normalizePath, stripStaticPrefix } from './normalize.js';
export type { NormalizeResult } from './normalize.js';
export { ROUTES } from './routes.js';
export { classifierFor, classify, compileRoutes, isApiLikePath, routesFor } from './classify.js';
export type { ClassifyResult, Classifier } from './classify.js';
export { extractIds, extractReferences, lowerCamel, missingRequiredField, normalizeRequestJson, requestFieldSource } from './ids.js';
export type { ExtractedId, ExtractedReference, ExtractInput, ExtractResult } from './ids.js';
export { versionOf, versionResourceId } from './model-version-ref.js';
export type { VersionRef } from './model-version-ref.js';
export { HTTP_METHODS, ID_KINDS, ID_KIND_RESOURCE } from './types.js';
export type {
  BaseRequirement,
  BlockedFeature,
  FilterKind,
  HttpMethod,
  IdKind,
  IdRef,
  IdSource,
  Requirement,
  RouteServer,
  RouteSpec,
} from './types.js';
