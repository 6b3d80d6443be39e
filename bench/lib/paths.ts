// Folders the benchmarks use, resolved from this file.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);
export const RESULTS_DIR = join(BENCH_DIR, 'results');
/** Scratch space: data folders, generated files (git-ignored). */
export const WORK_DIR = join(BENCH_DIR, '.work');
export const CLI = join(ROOT_DIR, 'src', 'cli.ts');
/** Adobe's OpenAPI documents, the copies the emulator serves: the peers are generated from them. */
export const OPENAPI_DIR = join(ROOT_DIR, 'src', 'emulator', 'openapi');
