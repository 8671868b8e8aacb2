/// <reference types="node" />
// The workerd processes this test process started (Miniflare's children), read from /proc:
// resident memory and its peak, CPU time. Linux only; elsewhere they read as zero.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

function workerdPids(): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return pids;
  }
  for (const pid of entries) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^Name:\s+workerd/m.test(status) && status.includes(`PPid:\t${process.pid}`)) pids.push(Number(pid));
    } catch {
      // A process that ended meanwhile.
    }
  }
  return pids;
}

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

/** Peak and current resident memory, in MiB, summed over the workerd processes. */
export function workerdMemory(): { peakMiB: number; rssMiB: number } {
  let peak = 0;
  let rss = 0;
  for (const pid of workerdPids()) {
    try {
      peak += statusField(pid, "VmHWM");
      rss += statusField(pid, "VmRSS");
    } catch {
      // Ended meanwhile.
    }
  }
  return { peakMiB: Math.round(peak), rssMiB: Math.round(rss) };
}

/** Makes the next peak reading start from the current resident size (Linux's clear_refs "5"). */
export function resetWorkerdPeak(): void {
  for (const pid of workerdPids()) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // Not permitted here: peaks then count from the process start.
    }
  }
}

const TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) the workerd processes have used, in ms. */
export function workerdCpuMs(): number {
  let ticks = 0;
  for (const pid of workerdPids()) {
    try {
      // After the command name (which may hold spaces): fields 14 and 15 are utime and stime.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Ended meanwhile.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
