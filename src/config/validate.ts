// Validates parsed scenario data against the model with ajv; every problem, in words.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { scenarioJsonSchema } from './json-schema.js';
import { type SchemaIssue, translate } from './schema-errors.js';
import type { ScenarioFile } from './scenario-model.js';

/** A validator of one model's files, compiled on first use (once per process). */
export function modelValidator<T>(schema: () => object): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => {
    // Shared definitions compiled once each (not inlined at every use): a fraction of the
    // compile time.
    compiled ??= new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      strictRequired: false,
      allowUnionTypes: true,
      inlineRefs: false,
      code: { optimize: false },
    }).compile<T>(schema());
    return compiled;
  };
}

/** Every schema problem of `data`, in words (none: it is a T). */
export function schemaIssues<T>(validate: ValidateFunction<T>, data: unknown): SchemaIssue[] {
  return validate(data) ? [] : translate(validate.errors ?? [], data);
}

const validator = modelValidator<ScenarioFile>(scenarioJsonSchema);

/** The problems of `data` as a scenario file (none: it is a ScenarioFile). */
export function validateScenarioData(data: unknown): SchemaIssue[] {
  return schemaIssues(validator(), data);
}

export function isScenarioFile(data: unknown): data is ScenarioFile {
  return validator()(data);
}
