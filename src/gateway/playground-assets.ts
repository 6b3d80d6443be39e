// The playground's built files (playground/dist, written by
// scripts/build-playground.ts) and how they are served: content types,
// long-lived caching for the content-hashed names, gzip when the client takes it.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** URL prefix under which every built file is served. */
export const ASSETS_PATH = '/playground/assets/';

/** A page's entry files, as names relative to the assets folder. */
export interface PageAssets {
  readonly script: string;
  readonly stylesheet: string | null;
}

/** Written by the build as playground/dist/manifest.json. */
export interface PlaygroundManifest {
  readonly graphiql: PageAssets;
  readonly upload: PageAssets;
  /** Monaco's web workers (editor, json, graphql), keyed by Monaco's worker label. */
  readonly workers: Readonly<Record<string, string>>;
  /** Files the build also wrote gzipped next to themselves (`name.gz`). */
  readonly gzipped: readonly string[];
}

export const MANIFEST_FILE = 'manifest.json';
export const ASSETS_FOLDER = 'assets';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

// Every built name carries a content hash, so a browser may keep it forever.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Reads the manifest, or returns null when the playground was not built. */
export async function readManifest(assetsDir: string): Promise<PlaygroundManifest | null> {
  try {
    return JSON.parse(await readFile(join(assetsDir, MANIFEST_FILE), 'utf8')) as PlaygroundManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The manifest, read again only when the file changed: a rebuild while the
 * gateway runs (`npm run build:playground`) replaces every hashed name, and
 * the next page load must name the new ones.
 */
export function createManifestReader(assetsDir: string): () => Promise<PlaygroundManifest | null> {
  let cached: { readonly mtimeMs: number; readonly manifest: PlaygroundManifest } | null = null;
  return async () => {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(join(assetsDir, MANIFEST_FILE))).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (cached?.mtimeMs !== mtimeMs) {
      const manifest = await readManifest(assetsDir);
      if (!manifest) return null;
      cached = { mtimeMs, manifest };
    }
    return cached.manifest;
  };
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  return typeof header === 'string' && /\bgzip\b/.test(header);
}

/**
 * Answers GET/HEAD for one file under `<assetsDir>/assets`. `name` is the path
 * after ASSETS_PATH, still URL-encoded. Returns false when there is no such file.
 */
export async function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  assetsDir: string,
  manifest: PlaygroundManifest,
  name: string,
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return false;
  }
  const root = resolve(assetsDir, ASSETS_FOLDER);
  const file = resolve(root, decoded);
  // Names come from the URL: never leave the assets folder.
  if (!file.startsWith(root + sep) || decoded.includes('\0')) return false;
  const contentType = CONTENT_TYPES[extname(file)];
  if (contentType === undefined) return false;

  const gzip = manifest.gzipped.includes(decoded) && acceptsGzip(req);
  const path = gzip ? `${file}.gz` : file;
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) return false;
    size = stats.size;
  } catch {
    return false;
  }

  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', size);
  res.setHeader('Cache-Control', IMMUTABLE);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (manifest.gzipped.includes(decoded)) res.setHeader('Vary', 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await new Promise<void>((resolveSent) => {
    const stream = createReadStream(path);
    stream.once('error', (error) => {
      res.destroy(error);
      resolveSent();
    });
    res.once('close', resolveSent);
    stream.pipe(res);
  });
  return true;
}
