// Prints the whole gateway schema, sorted, to schema.graphql at the repository
// root: one file to review in pull requests and to hand to client tooling.
// Runs after graphql-codegen in `npm run codegen`; the output is stable (sorted
// types and fields), so CI can fail on drift.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildASTSchema, lexicographicSortSchema, parse, printSchema } from 'graphql';
import { readTypeDefs } from '../src/gateway/type-defs.ts';

const files = readTypeDefs();
const document = parse(files.map((file) => file.sdl).join('\n'));
const printed = printSchema(lexicographicSortSchema(buildASTSchema(document)));
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, `${printed}\n`);
process.stdout.write(`wrote ${target} (${files.length} files)\n`);
