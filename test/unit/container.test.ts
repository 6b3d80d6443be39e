// The container recipe, checked without a container engine: the Dockerfile
// passes dockerfile-utils' validator (the Dockerfile language server's
// linter), and the rules that matter for this image hold, read from its AST
// (dockerfile-ast): a pinned Node 20 slim base, a non-root user, a HEALTHCHECK
// on /healthz, no secret in ENV or ARG. docker-compose.yml runs two gateway
// replicas on one Redis behind the load balancer.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DockerfileParser } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const dockerfileText = read('Dockerfile');
const dockerfile = DockerfileParser.parse(dockerfileText);
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY)/i;

/** The instructions of the stage that becomes the image: from the last FROM on. */
function finalStage(): Instruction[] {
  const lastFrom = dockerfile.getFROMs().at(-1)!;
  const start = lastFrom.getRange().start.line;
  return dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line >= start);
}

describe('Dockerfile', () => {
  it('should pass the dockerfile-utils validator without a problem', () => {
    const problems = validate(dockerfileText).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('should build every stage on a pinned Node 20 slim image', () => {
    const froms = dockerfile.getFROMs().filter((from) => !dockerfile.getFROMs().some((stage) => stage.getBuildStage() === from.getImageName()));
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) {
      expect(from.getImageName()).toBe('node');
      // A full version (not `20`, not `latest`), or a digest.
      expect(from.getImageDigest() ?? from.getImageTag()).toMatch(/^(sha256:[0-9a-f]{64}|20\.\d+\.\d+-slim)$/);
    }
  });

  it('should run as a user that is not root', () => {
    const users = finalStage().filter((instruction) => instruction.getKeyword() === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.getArgumentsContent()!.split(':')[0]!.trim();
    expect(['root', '0']).not.toContain(user);
  });

  it('should check its health on /healthz', () => {
    const healthchecks = finalStage().filter((instruction) => instruction.getKeyword() === 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]!.getArgumentsContent()).toMatch(/\/healthz/);
  });

  it('should carry no secret in ENV or ARG', () => {
    const names = [
      ...dockerfile.getENVs().flatMap((env) => env.getProperties().map((property) => property.getName())),
      ...dockerfile.getARGs().flatMap((arg) => (arg.getProperty() ? [arg.getProperty()!.getName()] : [])),
    ];
    expect(names.filter((name) => SECRET_NAME.test(name))).toEqual([]);
  });

  it('should leave local modules, data and env files out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.aep-data', '.env', '.env.*', '.git']));
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image?: string;
    build?: string;
    environment?: Record<string, string>;
    deploy?: { replicas?: number };
    volumes?: string[];
  }
  const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service> };

  it('should run two gateway replicas on one Redis, behind a load balancer', () => {
    const { gateway, redis, lb } = compose.services;
    expect(gateway?.deploy?.replicas).toBe(2);
    expect(redis?.image).toMatch(/^redis:\d/);
    expect(gateway?.environment?.REDIS_URL).toBe('redis://redis:6379');
    const config = lb?.volumes?.find((volume) => volume.includes('nginx.conf'))?.split(':')[0];
    expect(config && existsSync(new URL(config.replace(/^\.\//, ''), root))).toBe(true);
    expect(read('deploy/nginx.conf')).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
  });

  it('should point the gateway at the emulator service, with no other credential than the emulator’s published one', () => {
    const env = compose.services.gateway?.environment ?? {};
    expect(env.PLATFORM_BASE_URL).toBe('http://emulator:4001');
    expect(env.AEP_CLIENT_SECRET).toBe('aep-local-secret');
  });
});
