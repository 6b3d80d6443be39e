// Folders the benchmarks use, resolved from this file.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);
export const RESULTS_DIR = join(BENCH_DIR, 'results');
/**
 * Scratch space of this run: data folders, generated files (git-ignored).
 * One folder per run, so that a run cleaning up after itself never removes
 * the files of another run going on at the same time.
 */
export const WORK_DIR = join(BENCH_DIR, '.work', `run-${process.pid}`);
/** The command-line entry the image runs (`node bin/aep-graphql.js`): the processes under test start as they are deployed. */
export const CLI = join(ROOT_DIR, 'bin', 'aep-graphql.js');
/** Adobe's OpenAPI documents, the copies the emulator serves: the peers are generated from them. */
export const OPENAPI_DIR = join(ROOT_DIR, 'src', 'emulator', 'openapi');
