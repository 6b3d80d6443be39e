import { describe, expect, it } from 'vitest';
import { createAssemblyClaims } from '../../../src/emulator/store/assembly-claims.ts';

describe('assembly claims', () => {
  it('should let a part be written in place only where no recorded part and no write in flight lies', () => {
    const claims = createAssemblyClaims();
    const recorded = [{ first: 0, last: 99, blob: 'a' }];
    expect(claims.claim('a', 0, 99, recorded)).toBeNull();
    expect(claims.claim('a', 50, 149, recorded)).toBeNull();
    const next = claims.claim('a', 100, 199, recorded);
    expect(next).not.toBeNull();
    expect(claims.claim('a', 150, 249, recorded)).toBeNull();
    expect(claims.claim('b', 150, 249, [])).not.toBeNull();
    next!.release();
    expect(claims.claim('a', 150, 249, recorded)).not.toBeNull();
  });

  it('should seal an assembly only once the writes in flight end, and refuse claims until the seal is lifted', async () => {
    const claims = createAssemblyClaims();
    const write = claims.claim('a', 0, 9, [])!;
    let sealed = false;
    const sealing = claims.seal('a').then((unseal) => {
      sealed = true;
      return unseal;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sealed).toBe(false);
    expect(claims.claim('a', 10, 19, [])).toBeNull();
    write.release();
    const unseal = await sealing;
    expect(sealed).toBe(true);
    // A second seal waits for the first to be lifted.
    let second = false;
    const secondSeal = claims.seal('a').then((lift) => {
      second = true;
      return lift;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(second).toBe(false);
    unseal();
    (await secondSeal)();
    expect(second).toBe(true);
    expect(claims.claim('a', 10, 19, [])).not.toBeNull();
  });
});
