// The SDL of the gateway: every schema/*.graphql file, found by listing the
// folder (a new domain file needs no edit here), read in name order so the
// result is the same on every machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** schema/ at the repository root. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

export interface TypeDefsFile {
  readonly name: string;
  readonly sdl: string;
}

export function readTypeDefs(dir: string = SCHEMA_DIR): TypeDefsFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => ({ name, sdl: readFileSync(join(dir, name), 'utf8') }));
}
