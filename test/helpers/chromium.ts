// Debian's Chromium driven by playwright-core: headless, a fresh profile per
// launch, and every background service that could reach the network turned
// off. Records every URL the pages ask for (documents, scripts, fetches,
// workers, WebSockets), so a test can prove that nothing left the machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_PATH } from './services.ts';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** Every URL requested by any page of the context, in order, WebSockets and workers included. */
  readonly requested: readonly string[];
  /** Errors thrown in the pages and console errors, for the test to show when something fails. */
  readonly pageErrors: readonly string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'playground-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  const requested: string[] = [];
  const pageErrors: string[] = [];
  // HTTP(S) requests of every page and worker of the context, then what
  // Playwright reports per page only: WebSockets and the workers' own URLs.
  context.on('request', (request) => requested.push(request.url()));
  const watch = (page: Page) => {
    page.on('websocket', (socket) => requested.push(socket.url()));
    page.on('worker', (worker) => requested.push(worker.url()));
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${page.url()}: console: ${message.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    context,
    requested,
    pageErrors,
    async newPage() {
      const blank = context.pages().find((page) => page.url() === 'about:blank');
      return blank ?? (await context.newPage());
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The URLs on none of `allowed` (one origin or several; http and ws of the same host:port count as the same origin). */
export function foreignRequests(requested: readonly string[], allowed: string | readonly string[]): string[] {
  const origins = typeof allowed === 'string' ? [allowed] : allowed;
  const hosts = new Set(origins.map((origin) => new URL(origin).host));
  return requested.filter((url) => {
    const parsed = new URL(url);
    // data: and about:blank never reach a network; blob: URLs carry their creator's origin.
    if (parsed.protocol === 'about:' || parsed.protocol === 'data:') return false;
    if (parsed.protocol === 'blob:') return !origins.some((origin) => url.startsWith(`blob:${origin}`));
    return !hosts.has(parsed.host) || !['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol);
  });
}
