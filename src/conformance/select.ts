// Which scenario files a command line names: files, directories (their *.yaml) and globs
// with wildcards in the last path segment; default every scenarios/*.yaml. Sorted and
// de-duplicated so the order never depends on the file system.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { scenariosDir } from './paths.js';

const WILDCARD = /[*?[]/;

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re.replace(/\\\[/g, '[')}$`);
}

function yamlIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => join(dir, n));
}

/** Absolute paths; throws naming the argument that matched nothing. */
export function selectFiles(args: string[]): string[] {
  if (args.length === 0) return yamlIn(scenariosDir).sort();
  const out = new Set<string>();
  for (const arg of args) {
    const abs = resolve(arg);
    if (WILDCARD.test(arg)) {
      const dir = dirname(abs);
      if (WILDCARD.test(dir)) throw new Error(`${arg}: wildcards are supported in the last path segment only`);
      const re = globToRegExp(basename(abs));
      const hits = existsSync(dir)
        ? readdirSync(dir)
            .filter((n) => re.test(n))
            .map((n) => join(dir, n))
        : [];
      if (hits.length === 0) throw new Error(`${arg}: matches no file`);
      hits.forEach((h) => out.add(h));
    } else if (!existsSync(abs)) {
      throw new Error(`${arg}: no such file or directory`);
    } else if (statSync(abs).isDirectory()) {
      const hits = yamlIn(abs);
      if (hits.length === 0) throw new Error(`${arg}: no .yaml file in this directory`);
      hits.forEach((h) => out.add(h));
    } else {
      out.add(abs);
    }
  }
  return [...out].sort();
}
