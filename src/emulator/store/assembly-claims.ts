// Which byte ranges of a large file's assembly (the one file its parts are
// written into, at their offsets) a PATCH may write in place. A part goes
// in place only when no recorded part and no write in flight covers any of
// its bytes: a write cut off then leaves bytes that nothing recorded points
// at, and never spoils a part already received. Any other part (a range sent
// again, an overlap) goes to a blob of its own, copied in at COMPLETE.
// COMPLETE seals the assembly: no new claim, and it waits for the writes in
// flight before it reads what the parts table says.
import type { StoredPart } from './batch-files.ts';

export interface AssemblyClaim {
  /** Ends the claim once its part is recorded, or its bytes are given up. */
  release(): void;
}

export interface AssemblyClaims {
  /** A claim on bytes first..last of `assembly`, or null when they must go to a blob of their own. */
  claim(assembly: string, first: number, last: number, recorded: readonly StoredPart[]): AssemblyClaim | null;
  /**
   * Stops new claims on `assembly` and resolves once the writes in flight and
   * any earlier seal have ended; the returned function lifts the seal.
   */
  seal(assembly: string): Promise<() => void>;
}

interface Assembly {
  readonly inFlight: Set<{ first: number; last: number; ended: Promise<void> }>;
  /** The seal held (or awaited) last; claims wait for no seal, they are refused. */
  sealed: Promise<void> | null;
}

const overlaps = (a: { first: number; last: number }, first: number, last: number) => a.first <= last && first <= a.last;

export function createAssemblyClaims(): AssemblyClaims {
  const assemblies = new Map<string, Assembly>();
  const entry = (assembly: string): Assembly => {
    let found = assemblies.get(assembly);
    if (!found) assemblies.set(assembly, (found = { inFlight: new Set(), sealed: null }));
    return found;
  };
  const forgetIfIdle = (assembly: string, state: Assembly) => {
    if (state.inFlight.size === 0 && state.sealed === null) assemblies.delete(assembly);
  };

  return {
    claim(assembly, first, last, recorded) {
      const state = entry(assembly);
      const free = state.sealed === null && !recorded.some((part) => overlaps(part, first, last)) && ![...state.inFlight].some((write) => overlaps(write, first, last));
      if (!free) {
        forgetIfIdle(assembly, state);
        return null;
      }
      let end!: () => void;
      const write = { first, last, ended: new Promise<void>((resolve) => (end = resolve)) };
      state.inFlight.add(write);
      return {
        release() {
          if (!state.inFlight.delete(write)) return;
          end();
          forgetIfIdle(assembly, state);
        },
      };
    },

    async seal(assembly) {
      const state = entry(assembly);
      const before = state.sealed;
      let lift!: () => void;
      const mine = new Promise<void>((resolve) => (lift = resolve));
      state.sealed = mine;
      await before;
      await Promise.all([...state.inFlight].map((write) => write.ended));
      return () => {
        lift();
        if (state.sealed === mine) state.sealed = null;
        forgetIfIdle(assembly, state);
      };
    },
  };
}
