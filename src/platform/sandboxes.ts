// Sandbox Management (platform-api.md §6): the sandboxes a caller may use,
// and one sandbox by name.
import type { CallOptions, SandboxesApi } from './client.ts';
import type { Http } from './http.ts';
import type { PlatformScope, Sandbox } from './types.ts';

const BASE = '/data/foundation/sandbox-management';
const ACCEPT_JSON = { accept: 'application/json' } as const;

class ScopedSandboxes implements SandboxesApi {
  constructor(
    private readonly http: Http,
    private readonly scope: PlatformScope,
  ) {}

  async listSandboxes(opts?: CallOptions): Promise<Sandbox[]> {
    const body = await this.http.json<{ sandboxes?: Sandbox[] }>({
      api: 'sandboxes',
      method: 'GET',
      path: `${BASE}/`,
      route: '/',
      scope: this.scope,
      headers: ACCEPT_JSON,
      signal: opts?.signal,
    });
    return body?.sandboxes ?? [];
  }

  getSandbox(name: string, opts?: CallOptions): Promise<Sandbox | null> {
    return this.http.jsonOrNull<Sandbox>({
      api: 'sandboxes',
      method: 'GET',
      path: `${BASE}/sandboxes/${encodeURIComponent(name)}`,
      route: '/sandboxes/{name}',
      scope: this.scope,
      headers: ACCEPT_JSON,
      nullOn404: true,
      signal: opts?.signal,
    });
  }
}

export function createSandboxesApi(http: Http, scope: PlatformScope): SandboxesApi {
  return new ScopedSandboxes(http, scope);
}
