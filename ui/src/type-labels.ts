// Resource types in the words people use: one table for every page, picker and token scope, so a
// type reads the same everywhere (the raw names, gateway_endpoint…, are the API's).
const TYPE_LABEL: Record<string, string> = {
  experiment: 'experiment', registered_model: 'model', prompt: 'prompt', gateway_endpoint: 'AI-gateway endpoint', workspace: 'workspace',
  gateway_secret: 'AI-gateway secret', gateway_model_definition: 'AI-gateway model definition', run: 'run', trace: 'trace',
  logged_model: 'logged model', model_version: 'model version', prompt_version: 'prompt version',
};

/** The label of a resource type, or the raw type when the UI has none for it (a type newer than the UI). */
export const typeLabel = (type: string): string => TYPE_LABEL[type] ?? type;
