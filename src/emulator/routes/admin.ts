// The emulator's own control endpoints, present only when faults are on:
// fault rules and request counters, for tests that drive the emulator from
// another process.
import type { FaultController, FaultRule, RequestCounters } from '../faults.ts';
import { readJson, requireContentType, sendEmpty, sendJson } from '../http.ts';
import type { RouteTable } from './types.ts';

export interface AdminDeps {
  readonly faults: FaultController;
  readonly counters: RequestCounters;
}

export function registerAdminRoutes(routes: RouteTable, { faults, counters }: AdminDeps): void {
  routes.open('GET', '/__emulator/faults', (_req, res) => sendJson(res, 200, { rules: faults.list() }));
  // Body: an array of rules, or { rules: [...] }; replaces the current rules.
  routes.open('PUT', '/__emulator/faults', async (req, res) => {
    requireContentType(req, 'application/json');
    const body = await readJson<FaultRule[] | { rules?: FaultRule[] }>(req);
    faults.set(Array.isArray(body) ? body : (body.rules as FaultRule[]));
    sendJson(res, 200, { rules: faults.list() });
  });
  routes.open('DELETE', '/__emulator/faults', (_req, res) => {
    faults.clear();
    sendEmpty(res, 204);
  });
  routes.open('GET', '/__emulator/counters', (_req, res) => sendJson(res, 200, { counters: counters.snapshot() }));
  routes.open('DELETE', '/__emulator/counters', (_req, res) => {
    counters.reset();
    sendEmpty(res, 204);
  });
}
