// Validates parsed scenario data against the model with ajv; every problem, in words.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { scenarioJsonSchema } from './json-schema.js';
import { type SchemaIssue, translate } from './schema-errors.js';
import type { ScenarioFile } from './scenario-model.js';

let compiled: ValidateFunction<ScenarioFile> | undefined;

function validator(): ValidateFunction<ScenarioFile> {
  // Shared definitions compiled once each (not inlined at every use): a fraction of the
  // compile time, which is paid once per process.
  compiled ??= new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    inlineRefs: false,
    code: { optimize: false },
  }).compile<ScenarioFile>(scenarioJsonSchema());
  return compiled;
}

/** The problems of `data` as a scenario file (none: it is a ScenarioFile). */
export function validateScenarioData(data: unknown): SchemaIssue[] {
  const validate = validator();
  return validate(data) ? [] : translate(validate.errors ?? [], data);
}

export function isScenarioFile(data: unknown): data is ScenarioFile {
  return validator()(data);
}
