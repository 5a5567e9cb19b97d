// The configuration model: one definition from which the TypeScript types, the JSON
// Schema (scenarios/schema.json) and the validation of scenario files come.
export * from './datapath-model.js';
export * from './scenario-model.js';
export { type RawLayer, Layer, Layers } from './packet-model.js';
export { scenarioJsonSchema, scenarioSchemaText, SCHEMA_ID } from './json-schema.js';
export { type SchemaIssue, type FieldPath, show } from './schema-errors.js';
export { validateScenarioData, isScenarioFile } from './validate.js';
export * from './deploy-model.js';
