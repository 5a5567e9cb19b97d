// Field checks shared by the planners: each error names the field and the problem.

export function int(field: string, v: unknown, min: number, max: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${field}: expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function list<T>(field: string, v: T[] | undefined): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${field}: expected an array`);
  return v;
}

export function str(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${field}: expected a non-empty string`);
  return v;
}

/** Rejects the second mention of the same thing in one change. */
export type Once = (field: string, id: string) => void;

export function onceChecker(): Once {
  const seen = new Set<string>();
  return (field, id) => {
    if (seen.has(id)) throw new Error(`${field}: ${id} appears twice in this change`);
    seen.add(id);
  };
}
