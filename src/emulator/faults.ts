// Fault injection and request counters, for tests of retries, timeouts and
// call counts. Off unless settings.faults is on; then every request (IMS
// included) is counted under its route pattern, and matching rules add
// latency, answer 429/500/503 or cut the connection.
import { legacyError } from './errors.ts';
import type { EmulatorError } from './errors.ts';

export type FaultResponse = 429 | 500 | 503 | 'reset';

export interface FaultRule {
  /**
   * Which request paths the rule matches: a glob on the raw path ('*' = any
   * characters within one segment, '**' = anything, including '/'), or a RegExp.
   * @default '**'
   */
  path?: string | RegExp;
  /** A regular expression source, for rules sent as JSON over HTTP (wins over `path`). */
  pathRegex?: string;
  /** @default every method */
  method?: string | string[];
  /** Added before the response, in milliseconds. @default 0 */
  latencyMs?: number;
  /** What to answer instead of the real response; 'reset' destroys the socket. @default none (latency only) */
  respond?: FaultResponse;
  /** Chance, 0..1, that a matching request triggers the rule. @default 1 */
  rate?: number;
  /** The rule triggers at most this many times, then stays inert. @default unlimited */
  count?: number;
  /** Retry-After of a 429 or 503, in seconds. @default 1 */
  retryAfterSeconds?: number;
}

/** What a triggered rule does to one request. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly respond?: FaultResponse;
  readonly retryAfterSeconds: number;
}

export interface FaultController {
  /** Replaces all rules. */
  set(rules: FaultRule[]): void;
  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void;
  clear(): void;
  /** The rules as given, with `remaining` for counted rules. */
  list(): Array<FaultRule & { remaining?: number }>;
  /** The first triggered rule for this request, if any (consumes one of its count). */
  decide(method: string, path: string): FaultDecision | null;
}

interface CompiledRule {
  readonly rule: FaultRule;
  readonly matches: (path: string) => boolean;
  readonly methods: ReadonlySet<string> | null;
  remaining: number;
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += '[^/]*';
    } else source += /[.+?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${source}$`);
}

function invalid(detail: string): EmulatorError {
  return legacyError(400, `Invalid fault rule: ${detail}`);
}

function compile(rule: FaultRule): CompiledRule {
  if (rule === null || typeof rule !== 'object') throw invalid('a rule must be an object');
  const { rate = 1, count, latencyMs = 0, respond, retryAfterSeconds = 1 } = rule;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw invalid('rate must be a number from 0 to 1');
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) throw invalid('count must be a non-negative integer');
  if (typeof latencyMs !== 'number' || !(latencyMs >= 0 && latencyMs <= 600_000)) throw invalid('latencyMs must be 0..600000');
  if (respond !== undefined && ![429, 500, 503, 'reset'].includes(respond)) throw invalid('respond must be 429, 500, 503 or "reset"');
  if (typeof retryAfterSeconds !== 'number' || !(retryAfterSeconds >= 0)) throw invalid('retryAfterSeconds must be >= 0');
  let pattern: RegExp;
  try {
    if (rule.pathRegex !== undefined) pattern = new RegExp(String(rule.pathRegex));
    else if (rule.path instanceof RegExp) pattern = rule.path;
    else if (rule.path === undefined || typeof rule.path === 'string') pattern = globToRegExp(rule.path ?? '**');
    else throw invalid('path must be a string');
  } catch (error) {
    if (error instanceof SyntaxError) throw invalid(`bad regular expression: ${error.message}`);
    throw error;
  }
  const methods = rule.method === undefined ? null : new Set([rule.method].flat().map((m) => String(m).toUpperCase()));
  return { rule, matches: (path) => pattern.test(path), methods, remaining: count ?? Infinity };
}

export function createFaultController(random: () => number = Math.random): FaultController {
  let rules: CompiledRule[] = [];
  return {
    set(next) {
      if (!Array.isArray(next)) throw invalid('expected an array of rules');
      rules = next.map(compile);
    },
    add(rule) {
      rules = [...rules, compile(rule)];
    },
    clear() {
      rules = [];
    },
    list() {
      return rules.map((r) => (Number.isFinite(r.remaining) ? { ...r.rule, remaining: r.remaining } : { ...r.rule }));
    },
    decide(method, path) {
      for (const compiled of rules) {
        if (compiled.remaining <= 0) continue;
        if (compiled.methods && !compiled.methods.has(method)) continue;
        if (!compiled.matches(path)) continue;
        const rate = compiled.rule.rate ?? 1;
        if (rate < 1 && random() >= rate) continue;
        compiled.remaining--;
        return {
          latencyMs: compiled.rule.latencyMs ?? 0,
          respond: compiled.rule.respond,
          retryAfterSeconds: compiled.rule.retryAfterSeconds ?? 1,
        };
      }
      return null;
    },
  };
}

/** The error a triggered 429/500/503 rule answers with (shape B). */
export function faultError(decision: FaultDecision): EmulatorError | null {
  const retryAfter = { 'retry-after': String(decision.retryAfterSeconds) };
  switch (decision.respond) {
    case 429:
      return legacyError(429, 'Too many requests. Please try again later.', retryAfter);
    case 503:
      return legacyError(503, 'Service temporarily unavailable. Please try again later.', retryAfter);
    case 500:
      return legacyError(500, 'Internal server error');
    default:
      return null;
  }
}

export interface RequestCounters {
  increment(key: string): void;
  snapshot(): Record<string, number>;
  reset(): void;
}

export function createRequestCounters(): RequestCounters {
  const counts = new Map<string, number>();
  return {
    increment(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    snapshot: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
  };
}
