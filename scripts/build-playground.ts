// Bundles the playground (playground/*.ts -> playground/dist) with esbuild:
// the GraphiQL page, the upload page and Monaco's three web workers, minified,
// CSS and fonts included, so that the gateway serves every byte itself and the
// pages work with no network. Writes playground/dist/manifest.json, which the
// gateway reads to know the content-hashed file names.
//
// A build never empties the folder first: the new files (content-hashed, so
// never overwriting different bytes) land next to the old ones, the manifest
// is replaced in one rename, and only then are the files no longer named
// removed. A gateway serving the folder, or a second build running at the same
// time, never sees it half-written.
//
//   node --import tsx scripts/build-playground.ts              build, fail on error
//   node --import tsx scripts/build-playground.ts --if-possible as `prepare`: on an
//     install without devDependencies (npm ci --omit=dev) there is nothing to
//     bundle with, so say so and succeed; the playground is off in production.
import { createRequire } from 'node:module';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import type { PageAssets, PlaygroundManifest } from '../src/gateway/playground-assets.ts';
import { ASSETS_FOLDER, MANIFEST_FILE } from '../src/gateway/playground-assets.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const distDir = join(root, 'playground', 'dist');
const assetsDir = join(distDir, ASSETS_FOLDER);
const gzipAsync = promisify(gzip);

// Below this size gzip saves too little to be worth a second file.
const GZIP_MIN_BYTES = 1024;

const pages = {
  graphiql: join(root, 'playground', 'graphiql.ts'),
  upload: join(root, 'playground', 'upload.ts'),
};

// Monaco asks MonacoEnvironment.getWorker(label) for these labels; playground/monaco-workers.ts
// answers with the built URL of each.
const workers = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
};

// Monaco's modules import their own CSS files. graphiql/style.css already
// carries all of Monaco's styles (and its codicon font, inlined), and esbuild
// would not load the CSS of lazily imported chunks anyway: drop those imports
// rather than ship every rule twice.
const monacoStylesFromGraphiql: Plugin = {
  name: 'monaco-styles-from-graphiql',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'monaco-css' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'monaco-css' }, () => ({ contents: '', loader: 'css' }));
  },
};

function buildOptionsShared(): BuildOptions {
  return {
    absWorkingDir: root,
    bundle: true,
    minify: true,
    target: ['chrome111', 'firefox111', 'safari16.4'],
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'files/[name]-[hash]',
    // Monaco's CSS references its codicon font; bundled as a file, served by the gateway.
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [monacoStylesFromGraphiql],
  };
}

function entryOutputs(metafile: Metafile, entryPoint: string): PageAssets {
  const wanted = relative(root, entryPoint).split('\\').join('/');
  for (const [output, info] of Object.entries(metafile.outputs)) {
    if (info.entryPoint === wanted || info.entryPoint === entryPoint) {
      return {
        script: relative(assetsDir, join(root, output)).split('\\').join('/'),
        stylesheet: info.cssBundle ? relative(assetsDir, join(root, info.cssBundle)).split('\\').join('/') : null,
      };
    }
  }
  throw new Error(`esbuild wrote no output for ${wanted}`);
}

function resolvesFromRoot(specifier: string): boolean {
  try {
    createRequire(join(root, 'package.json')).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

async function gzipOutputs(outputs: string[]): Promise<string[]> {
  const gzipped: string[] = [];
  await Promise.all(
    outputs
      .filter((file) => /\.(js|css|json|svg|ttf|txt)$/.test(file))
      .map(async (file) => {
        const bytes = await readFile(file);
        if (bytes.length < GZIP_MIN_BYTES) return;
        await writeFile(`${file}.gz`, await gzipAsync(bytes, { level: 9 }));
        gzipped.push(relative(assetsDir, file).split('\\').join('/'));
      }),
  );
  return gzipped.sort();
}

// esbuild is imported when used, so that `--if-possible` can run without it.
async function bundle(options: BuildOptions): Promise<Metafile> {
  const { build } = await import('esbuild');
  const result = await build({ ...buildOptionsShared(), ...options });
  if (!result.metafile) throw new Error('esbuild returned no metafile');
  return result.metafile;
}

// Removes what an earlier build wrote and this one did not (gzipped twins included).
async function pruneStaleFiles(keep: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(assetsDir, { recursive: true, withFileTypes: true });
  await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !keep.has(file) && !keep.has(file.replace(/\.gz$/, '')))
      .map((file) => rm(file, { force: true })),
  );
}

export async function buildPlayground(): Promise<PlaygroundManifest> {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const workerEntries = Object.fromEntries(
    Object.entries(workers).map(([label, specifier]) => [label, requireFromRoot.resolve(specifier)]),
  );
  await mkdir(assetsDir, { recursive: true });

  const [pageBuild, workerBuild] = await Promise.all([
    bundle({ entryPoints: pages, format: 'esm', splitting: true }),
    // Classic (non-module) workers: playground/monaco-workers.ts starts them with `new Worker(url)`.
    bundle({ entryPoints: workerEntries, format: 'iife' }),
  ]);

  const workerFiles: Record<string, string> = {};
  for (const [label, entry] of Object.entries(workerEntries)) {
    workerFiles[label] = entryOutputs(workerBuild, entry).script;
  }

  const outputs = [...Object.keys(pageBuild.outputs), ...Object.keys(workerBuild.outputs)].map((output) =>
    join(root, output),
  );
  const manifest: PlaygroundManifest = {
    graphiql: entryOutputs(pageBuild, pages.graphiql),
    upload: entryOutputs(pageBuild, pages.upload),
    workers: workerFiles,
    gzipped: await gzipOutputs(outputs),
  };
  const staged = join(distDir, `${MANIFEST_FILE}.${process.pid}.tmp`);
  await writeFile(staged, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(staged, join(distDir, MANIFEST_FILE));
  await pruneStaleFiles(new Set(outputs));
  return manifest;
}

async function main(argv: string[]): Promise<void> {
  const ifPossible = argv.includes('--if-possible');
  if (ifPossible && !(resolvesFromRoot('esbuild') && resolvesFromRoot('graphiql/package.json'))) {
    process.stdout.write('playground: esbuild or graphiql is not installed (devDependencies omitted); not building it\n');
    return;
  }
  const started = performance.now();
  await buildPlayground();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`playground: built into ${relative(process.cwd(), distDir) || distDir} in ${seconds}s\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
