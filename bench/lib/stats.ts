// Medians, spreads and ratios of repeated measurements.

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** (max - min) / median: how far apart the runs were. */
export function spread(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return 0;
  const m = median(finite);
  return m === 0 ? 0 : (Math.max(...finite) - Math.min(...finite)) / m;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function ratio(a: number, b: number): number {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? Number.NaN : a / b;
}

/** A noisy figure is one whose runs spread more than this. */
export const NOISY_SPREAD = 0.15;

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Rotates `items` by `round`, so that every target takes every position across rounds. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const k = round % n;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** 'yes' when value >= limit, 'no' when below, 'n/a' when it was not measured. */
export function atLeast(value: number | undefined, limit: number): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value >= limit ? 'yes' : 'no';
}

/** 'yes' when value <= limit, 'no' when above, 'n/a' when it was not measured. */
export function atMost(value: number | undefined, limit: number): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value <= limit ? 'yes' : 'no';
}
