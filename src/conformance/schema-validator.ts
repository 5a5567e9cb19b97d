// A small JSON Schema validator for the keywords scenarios/schema.json uses (type,
// properties, required, additionalProperties, items, min/maxItems, uniqueItems, enum,
// const, minimum, maximum, exclusiveMinimum, minLength, pattern, min/maxProperties,
// propertyNames, oneOf, anyOf, $ref into $defs). Every problem is collected with its field path and a
// message written for the person who wrote the file.

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  minProperties?: number;
  maxProperties?: number;
  propertyNames?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  $defs?: Record<string, SchemaNode>;
  description?: string;
}

/** One problem: path segments (property names and array indices) and the message. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
  /** The problem is about the key itself (an unknown field), not its value. */
  atKey?: boolean;
}

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(document)' : out;
}

export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

const NOUNS: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false',
  object: 'a mapping', array: 'a list', null: 'null',
};

function bounds(schema: SchemaNode): string {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin } = schema;
  if (min !== undefined && max !== undefined) return ` in ${min}..${max}`;
  if (xmin !== undefined && max !== undefined) return ` > ${xmin} and <= ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (xmin !== undefined) return ` > ${xmin}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** What a schema accepts, in words (for type mismatches). */
function describe(schema: SchemaNode, root: SchemaNode): string {
  const s = resolve(schema, root);
  if (s.enum !== undefined) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (s.type === undefined && alternatives !== undefined) return alternatives.map((a) => describe(a, root)).join(' or ');
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length === 0) return 'a value';
  return types.map((t) => `${NOUNS[t] ?? t}${t === 'integer' || t === 'number' ? bounds(s) : ''}`).join(' or ');
}

function resolve(schema: SchemaNode, root: SchemaNode): SchemaNode {
  let s = schema;
  for (let depth = 0; s.$ref !== undefined; depth++) {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    const target = m === null ? undefined : root.$defs?.[m[1]];
    if (target === undefined || depth > 32) throw new Error(`schema: cannot resolve $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

function isRequiredOnly(branch: SchemaNode): string | undefined {
  const keys = Object.keys(branch);
  return keys.length === 1 && branch.required?.length === 1 ? branch.required[0] : undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

class Validator {
  readonly issues: SchemaIssue[] = [];

  constructor(private readonly root: SchemaNode) {}

  private add(path: (string | number)[], message: string, atKey = false): void {
    this.issues.push(atKey ? { path, message, atKey } : { path, message });
  }

  check(value: unknown, schemaIn: SchemaNode, path: (string | number)[]): void {
    const schema = resolve(schemaIn, this.root);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => typeMatches(value, t))) {
        this.add(path, `expected ${describe(schema, this.root)}, got ${show(value)}`);
        return;
      }
    }
    if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) {
      this.add(path, `expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${show(value)}`);
      return;
    }
    if (schema.const !== undefined && !deepEqual(schema.const, value)) {
      this.add(path, `expected ${JSON.stringify(schema.const)}, got ${show(value)}`);
      return;
    }
    if (typeof value === 'number') this.checkNumber(value, schema, path);
    if (typeof value === 'string') this.checkString(value, schema, path);
    if (Array.isArray(value)) this.checkArray(value, schema, path);
    else if (value !== null && typeof value === 'object') this.checkObject(value as Record<string, unknown>, schema, path);
    if (schema.anyOf !== undefined) this.checkAnyOf(value, schema.anyOf, path);
    if (schema.oneOf !== undefined) this.checkOneOf(value, schema.oneOf, path);
  }

  private checkNumber(value: number, schema: SchemaNode, path: (string | number)[]): void {
    const outside = (schema.minimum !== undefined && value < schema.minimum)
      || (schema.maximum !== undefined && value > schema.maximum)
      || (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum);
    if (outside) this.add(path, `expected ${describe({ ...schema, type: Number.isInteger(value) && schema.type === 'integer' ? 'integer' : 'number' }, this.root)}, got ${value}`);
  }

  private checkString(value: string, schema: SchemaNode, path: (string | number)[]): void {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      this.add(path, schema.minLength === 1 ? 'expected a non-empty string' : `expected at least ${schema.minLength} characters, got ${value.length}`);
      return;
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      this.add(path, `${show(value)} does not match the pattern ${schema.pattern}`);
    }
  }

  private checkArray(value: unknown[], schema: SchemaNode, path: (string | number)[]): void {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      this.add(path, `expected at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, got ${value.length}`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      this.add(path, `expected at most ${schema.maxItems} items, got ${value.length}`);
    }
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      value.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) this.add([...path, i], `${show(v)} is listed twice`);
        seen.add(key);
      });
    }
    if (schema.items !== undefined) value.forEach((v, i) => this.check(v, schema.items!, [...path, i]));
  }

  private checkObject(value: Record<string, unknown>, schema: SchemaNode, path: (string | number)[]): void {
    const keys = Object.keys(value);
    const props = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!(name in value) && !(schema.oneOf ?? []).some((b) => isRequiredOnly(b) === name)) {
        this.add([...path, name], 'required field is missing');
      }
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      this.add(path, `expected at least ${schema.minProperties} field${schema.minProperties === 1 ? '' : 's'}`);
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      this.add(path, `expected at most ${schema.maxProperties} fields, got ${keys.length}`);
    }
    for (const key of keys) {
      if (schema.propertyNames !== undefined) {
        const keyIssues = this.branchIssues(key, schema.propertyNames, [...path, key]);
        for (const i of keyIssues) this.add(i.path, `field name ${i.message}`, true);
      }
      const sub = props[key];
      if (sub !== undefined) {
        this.check(value[key], sub, [...path, key]);
      } else if (schema.additionalProperties === false) {
        const allowed = Object.keys(props);
        this.add([...path, key], `unknown field${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`, true);
      } else if (typeof schema.additionalProperties === 'object') {
        this.check(value[key], schema.additionalProperties, [...path, key]);
      }
    }
  }

  private branchIssues(value: unknown, branch: SchemaNode, path: (string | number)[]): SchemaIssue[] {
    const v = new Validator(this.root);
    v.check(value, branch, path);
    return v.issues;
  }

  private checkAnyOf(value: unknown, branches: SchemaNode[], path: (string | number)[]): void {
    const results = branches.map((b) => this.branchIssues(value, b, path));
    if (results.some((r) => r.length === 0)) return;
    // Report the branch whose type fits (its detail helps); else say what was expected.
    const fitting = branches.map((b, i) => ({ b: resolve(b, this.root), r: results[i] }))
      .filter(({ b }) => b.type !== undefined && (Array.isArray(b.type) ? b.type : [b.type]).some((t) => typeMatches(value, t)));
    if (fitting.length === 1) {
      this.issues.push(...fitting[0].r);
      return;
    }
    this.add(path, `expected ${branches.map((b) => describe(b, this.root)).join(' or ')}, got ${show(value)}`);
  }

  private checkOneOf(value: unknown, branches: SchemaNode[], path: (string | number)[]): void {
    const keyed = branches.map(isRequiredOnly);
    if (keyed.every((k) => k !== undefined) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const present = keyed.filter((k) => k! in (value as object));
      if (present.length === 1) return;
      const names = keyed.join(', ');
      this.add(path, present.length === 0 ? `expected exactly one of ${names}` : `expected exactly one of ${names}, got ${present.join(' and ')}`);
      return;
    }
    const results = branches.map((b) => this.branchIssues(value, b, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 1) return;
    if (passing > 1) {
      this.add(path, 'matches more than one alternative');
      return;
    }
    const best = results.reduce((a, b) => (b.length < a.length ? b : a));
    this.issues.push(...best);
  }
}

/** Every problem of value against schema (empty when it is valid). */
export function validateAgainstSchema(value: unknown, schema: SchemaNode): SchemaIssue[] {
  const v = new Validator(schema);
  v.check(value, schema, []);
  return v.issues;
}
