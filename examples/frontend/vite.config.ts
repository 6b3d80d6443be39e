// Vite config of the example app. The app calls `/graphql` on its own origin;
// the dev server (`vite`) and the preview server (`vite preview`) forward that
// path, HTTP and WebSocket alike, to the gateway at GATEWAY_URL, as a reverse
// proxy in front of both would in production. So the gateway needs no CORS and
// sees exactly what a same-origin client sends.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The config with `/graphql` forwarded to `gatewayUrl` (its origin: `http://127.0.0.1:4000`). */
export function exampleConfig(gatewayUrl: string): UserConfig {
  const target = new URL(gatewayUrl).origin;
  // ws: the same path carries graphql-ws subscriptions after an Upgrade.
  const proxy = { '/graphql': { target, ws: true } };
  return {
    root,
    logLevel: 'warn',
    server: { proxy },
    preview: { proxy },
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  };
}

export default defineConfig(exampleConfig(process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql'));
