// Child processes of the benchmarks (emulator, gateways, load generator) and
// what /proc says about them: CPU time and resident memory.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/** Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK; 100 on Linux). */
const CLK_TCK = 100;

export interface Service {
  readonly name: string;
  readonly pid: number;
  /** The first http(s) URL the process printed. */
  readonly url: string;
  readonly child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** How long to wait for the URL line. @default 60_000 */
  readonly timeoutMs?: number;
  /** Where the URL is printed. @default /^(https?:\/\/\S+)/ at the start of a stdout line */
  readonly urlPattern?: RegExp;
  /** Also look for the URL on stderr. @default false */
  readonly urlOnStderr?: boolean;
  /**
   * For processes that print no usable URL line: the URL is known in advance
   * and the process is ready once GET `readyUrl` answers below 500.
   */
  readonly known?: { readonly url: string; readonly readyUrl: string };
}

/** Spawns `command args`, waits for the first line that carries its URL. */
export function spawnService(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Service> {
  const { timeoutMs = 60_000, urlPattern = /^(https?:\/\/\S+)/, urlOnStderr = false } = options;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })());

  return new Promise<Service>((resolve, reject) => {
    let done = false;
    const fail = (message: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop(1_000);
      reject(new Error(`${name}: ${message}\n--- last output ---\n${lines.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no URL printed within ${timeoutMs} ms`), timeoutMs);
    const watch = (stream: NodeJS.ReadableStream, lookForUrl: boolean) => {
      createInterface({ input: stream }).on('line', (line) => {
        remember(line);
        if (done || !lookForUrl) return;
        // eslint-disable-next-line no-control-regex
        const match = urlPattern.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (!match?.[1] || child.pid === undefined) return;
        done = true;
        clearTimeout(timer);
        resolve({ name, pid: child.pid, url: match[1], child, tail: () => lines.join('\n'), stop });
      });
    };
    watch(child.stdout!, !options.known);
    watch(child.stderr!, urlOnStderr && !options.known);
    if (options.known) {
      const { url, readyUrl } = options.known;
      const probe = async () => {
        while (!done) {
          try {
            const res = await fetch(readyUrl);
            await res.arrayBuffer();
            if (res.status < 500 && child.pid !== undefined && !done) {
              done = true;
              clearTimeout(timer);
              resolve({ name, pid: child.pid, url, child, tail: () => lines.join('\n'), stop });
              return;
            }
          } catch {
            // not listening yet
          }
          await sleep(100);
        }
      };
      void probe();
    }
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before printing its URL`));
  });
}

/** user + system CPU time of a process so far, in milliseconds (threads included). */
/** A port that was free a moment ago (for processes that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** The pids of a process's children (every thread's), then theirs, depth first. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(' ').filter(Boolean).map(Number)) out.push(child, ...descendants(child));
  }
  return out;
}

/** cpuTimeMs of a process plus its live descendants (a helper process of a server counts as the server's work). */
export function treeCpuTimeMs(pid: number): number {
  let total = cpuTimeMs(pid);
  for (const child of descendants(pid)) {
    try {
      total += cpuTimeMs(child);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export interface RssSampler {
  /** Highest RSS seen since start, in bytes. */
  peak(): number;
  stop(): number;
}

/** Samples the RSS of `pid` every `intervalMs` and keeps the peak. */
export function sampleRss(pid: number, intervalMs = 20): RssSampler {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process is gone
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    peak: () => peak,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Node flags that make a process write a V8 CPU profile into `folder` when it exits (`--cpu-prof`); none without a folder. */
export function cpuProfileArgs(folder: string | undefined): string[] {
  return folder ? ['--cpu-prof', `--cpu-prof-dir=${folder}`] : [];
}

/** Runs `work` while sampling the RSS of `pid`: its value, the RSS just before, and the peak growth over it. */
export async function measureRssGrowth<T>(pid: number, work: () => Promise<T>, intervalMs = 20): Promise<{ value: T; before: number; growth: number }> {
  const before = rssBytes(pid);
  const sampler = sampleRss(pid, intervalMs);
  const value = await work();
  return { value, before, growth: sampler.stop() - before };
}

/** Runs a command to completion and returns its stdout; throws with stderr on a non-zero exit. */
export function runToEnd(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${signal ?? code}\n${Buffer.concat(err).toString('utf8').slice(-4000)}\n${stdout.slice(-2000)}`));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
