// Sandboxes: the ones active for the caller, and the one this request runs in.
import type { Resolvers, SandboxState, SandboxType } from '../src/generated/resolvers-types.ts';

const TYPES: Readonly<Record<string, SandboxType>> = { production: 'PRODUCTION', development: 'DEVELOPMENT' };
const STATES: Readonly<Record<string, SandboxState>> = {
  creating: 'CREATING',
  active: 'ACTIVE',
  failed: 'FAILED',
  deleting: 'DELETING',
  deleted: 'DELETED',
  resetting: 'RESETTING',
};

export const sandboxResolvers: Resolvers = {
  Query: {
    sandboxes: (_root, _args, { loaders }) => loaders.sandboxes(),
    currentSandbox: async (_root, _args, { loaders, scope }) => {
      const sandboxes = await loaders.sandboxes();
      return sandboxes.find((sandbox) => sandbox.name === scope.sandbox) ?? null;
    },
  },
  Sandbox: {
    name: (sandbox) => sandbox.name,
    title: (sandbox) => sandbox.title ?? null,
    type: (sandbox) => TYPES[sandbox.type?.toLowerCase() ?? ''] ?? 'UNKNOWN',
    state: (sandbox) => STATES[sandbox.state?.toLowerCase() ?? ''] ?? 'UNKNOWN',
    region: (sandbox) => sandbox.region ?? null,
    isDefault: (sandbox) => sandbox.isDefault === true,
    created: (sandbox) => sandbox.createdDate ?? null,
    updated: (sandbox) => sandbox.lastModifiedDate ?? null,
  },
};
