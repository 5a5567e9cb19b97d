// ajv's errors in the words of the person who wrote the file: the field path as segments,
// what was expected, and what was given. Alternatives (anyOf, oneOf) are reported once:
// the one alternative whose type fits, or what the alternatives accept.
import type { ErrorObject } from 'ajv/dist/2020.js';

export type FieldPath = (string | number)[];

export interface SchemaIssue {
  path: FieldPath;
  message: string;
  /** The problem is the key itself (unknown field, bad field name): point at the key. */
  atKey?: boolean;
}

type Schema = Record<string, unknown>;

const NOUNS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeFits(value: unknown, schema: Schema): boolean {
  const t = schema.type;
  if (t === undefined) return false;
  const actual = typeOf(value);
  return (Array.isArray(t) ? (t as string[]) : [t as string]).some((x) => x === actual || (x === 'number' && actual === 'integer'));
}

function bounds(s: Schema): string {
  const min = s.minimum as number | undefined;
  const max = s.maximum as number | undefined;
  const xmin = s.exclusiveMinimum as number | undefined;
  if (min !== undefined && max !== undefined) return ` in ${min}..${max}`;
  if (xmin !== undefined && max !== undefined) return ` > ${xmin} and <= ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (xmin !== undefined) return ` > ${xmin}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** What a schema accepts, in words. */
export function describe(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (s.type === undefined && alternatives !== undefined) return alternatives.map(describe).join(' or ');
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  if (types.length === 0) return 'a value';
  return types.map((t) => `${NOUNS[t] ?? t}${t === 'integer' || t === 'number' ? bounds(s) : ''}`).join(' or ');
}

/** '/steps/0/send' -> ['steps', 0, 'send']: a number where the data holds a list (a
 *  mapping's key stays a string, even "1"). */
function segments(pointer: string, root: unknown): FieldPath {
  if (pointer === '') return [];
  const out: FieldPath = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function requiredOnly(branch: Schema): string | undefined {
  const req = branch.required as string[] | undefined;
  return Object.keys(branch).length === 1 && req?.length === 1 ? req[0] : undefined;
}

function under(e: ErrorObject, combinator: ErrorObject): boolean {
  return e !== combinator && e.schemaPath.startsWith(`${combinator.schemaPath}/`) && e.instancePath.startsWith(combinator.instancePath);
}

function branchOf(e: ErrorObject, combinator: ErrorObject): number {
  return Number(e.schemaPath.slice(combinator.schemaPath.length + 1).split('/')[0]);
}

function plain(e: ErrorObject, root: unknown): SchemaIssue | undefined {
  const path = segments(e.instancePath, root);
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Schema;
  switch (e.keyword) {
    case 'type':
      return { path, message: `expected ${describe(parent)}, got ${show(e.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        message: `expected ${describe({ ...parent, type: Number.isInteger(e.data) && parent.type === 'integer' ? 'integer' : 'number' })}, got ${String(e.data)}`,
      };
    case 'enum':
      return { path, message: `expected ${describe(parent)}, got ${show(e.data)}` };
    case 'pattern':
      if (e.propertyName !== undefined)
        return {
          path: [...path, e.propertyName],
          message: `field name ${JSON.stringify(e.propertyName)} does not match the pattern ${String(p.pattern)}`,
          atKey: true,
        };
      return { path, message: `${show(e.data)} does not match the pattern ${String(p.pattern)}` };
    case 'minLength':
      return {
        path,
        message:
          p.limit === 1
            ? 'expected a non-empty string'
            : `expected at least ${String(p.limit)} characters, got ${(e.data as string).length}`,
      };
    case 'minItems':
      return { path, message: `expected at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}, got ${(e.data as unknown[]).length}` };
    case 'maxItems':
      return { path, message: `expected at most ${String(p.limit)} items, got ${(e.data as unknown[]).length}` };
    case 'uniqueItems': {
      const i = Math.max(p.i as number, p.j as number);
      return { path: [...path, i], message: `${show((e.data as unknown[])[i])} is listed twice` };
    }
    case 'required':
      return { path: [...path, p.missingProperty as string], message: 'required field is missing' };
    case 'additionalProperties': {
      const allowed = Object.keys(parent.properties ?? {});
      return {
        path: [...path, p.additionalProperty as string],
        message: `unknown field${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        atKey: true,
      };
    }
    case 'minProperties':
      return { path, message: `expected at least ${String(p.limit)} field${p.limit === 1 ? '' : 's'}` };
    // The branch that failed says it (if/then), or the pattern error does (propertyNames).
    case 'if':
    case 'const':
    case 'propertyNames':
      return undefined;
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** The alternatives of one anyOf/oneOf, decided from their branches' errors. */
function alternatives(combinator: ErrorObject, inner: ErrorObject[], root: unknown): SchemaIssue[] {
  const parent = (combinator.parentSchema ?? {}) as Schema;
  const branches = (parent[combinator.keyword] ?? []) as Schema[];
  const path = segments(combinator.instancePath, root);
  const data = combinator.data;
  const keys = branches.map(requiredOnly);
  if (keys.every((k) => k !== undefined) && data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const present = keys.filter((k) => k in data);
    const names = keys.join(', ');
    if (present.length === 1) return [];
    return [
      {
        path,
        message:
          present.length === 0 ? `expected exactly one of ${names}` : `expected exactly one of ${names}, got ${present.join(' and ')}`,
      },
    ];
  }
  if (combinator.keyword === 'oneOf' && (combinator.params as { passingSchemas?: unknown }).passingSchemas != null) {
    return [{ path, message: 'matches more than one alternative' }];
  }
  const fitting = branches.map((b, i) => ({ b, i })).filter(({ b }) => typeFits(data, b));
  if (fitting.length === 1)
    return translate(
      inner.filter((e) => branchOf(e, combinator) === fitting[0]!.i),
      root,
    );
  return [{ path, message: `expected ${branches.map(describe).join(' or ')}, got ${show(data)}` }];
}

/** Every ajv error as issues (ajv must run with allErrors and verbose); root is the data
 *  validated. A record's own fields come before what its alternatives say about it. */
export function translate(errors: readonly ErrorObject[], root: unknown): SchemaIssue[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const outer = combinators.filter((c) => !combinators.some((o) => under(c, o)));
  const out: SchemaIssue[] = [];
  const decided: SchemaIssue[] = [];
  for (const e of errors) {
    if (combinators.some((c) => under(e, c))) continue;
    if (outer.includes(e)) {
      decided.push(
        ...alternatives(
          e,
          errors.filter((x) => under(x, e)),
          root,
        ),
      );
      continue;
    }
    const issue = plain(e, root);
    if (issue !== undefined) out.push(issue);
  }
  return [...out, ...decided];
}
