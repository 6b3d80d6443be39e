// The rank the poll lease scripts give the instances that want a watch
// (src/gateway/poll-lease.ts), worked out in the test: the rightful holder is
// the instance with the highest sha1(instance + "\n" + watch key).
import { createHash } from 'node:crypto';

export function rightfulHolder(instances: readonly string[], watchKey: string): string {
  const weight = (instance: string) => createHash('sha1').update(`${instance}\n${watchKey}`).digest('hex');
  return [...instances].sort((a, b) => (weight(a) > weight(b) ? -1 : 1))[0]!;
}
