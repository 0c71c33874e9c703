export { loadConfig, redactedConfig, isLoopbackUrl, type Config, type ConfigProblem, type LoadResult } from './load.js';
export { SCHEMA, type SchemaKey } from './schema.js';
export { renderConfigReference, renderErrorCodes, updateReadme } from './reference.js';
