/**
 * Reads another process's CPU time and memory from /proc (Linux), so the load generator can
 * measure each server process alone. The parsers are pure; `readProcess` does the I/O.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time and memory of a process at one instant. */
export interface ProcessSample {
  /** User + system CPU time since the process started, in ms. */
  readonly cpuMs: number;
  /** Resident set size now, in bytes. */
  readonly rssBytes: number;
  /** The largest resident set size since the process started (VmHWM), in bytes. */
  readonly peakRssBytes: number;
}

/** Parses `/proc/<pid>/stat` into CPU ms (utime + stime), given the clock ticks per second. */
export function parseStatCpuMs(stat: string, ticksPerSecond: number): number {
  // The command name (field 2) sits in parentheses and may hold spaces: fields are counted after its ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 60))}`);
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  // After ')': state is field 3, so utime (14) and stime (15) are at indexes 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in /proc/<pid>/stat: ${JSON.stringify(stat.slice(0, 80))}`);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** Parses `VmRSS` and `VmHWM` (kB) out of `/proc/<pid>/status`, in bytes. */
export function parseStatusMemory(status: string): { rssBytes: number; peakRssBytes: number } {
  const kb = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} line in /proc/<pid>/status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

let ticks: number | undefined;

// The kernel's clock ticks per second (USER_HZ), asked once.
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Reads a process's CPU time and memory now. */
export function readProcess(pid: number): ProcessSample {
  const cpuMs = parseStatCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), ticksPerSecond());
  return { cpuMs, ...parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8')) };
}

/** Samples the resident set of processes every `intervalMs` until stopped; `stop` returns each one's peak. */
export function sampleRss(pids: readonly number[], intervalMs = 100): { stop(): Map<number, number> } {
  const peaks = new Map<number, number>(pids.map((pid) => [pid, 0]));
  const take = () => {
    for (const pid of pids) {
      try {
        const { rssBytes } = parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, rssBytes));
      } catch {
        // The process is gone; its last sample stands.
      }
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}
