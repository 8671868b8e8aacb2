/// <reference types="node" />
// CPU time per thread of one process, from the scheduler's nanosecond counts
// (/proc/<pid>/task/<tid>/schedstat, its first field: time spent on a CPU, user and system).
// The cpu suite reads it around each window as the instructions suite reads callgrind's dumps.
import { readdirSync, readFileSync } from "node:fs";

/** Nanoseconds on a CPU so far, by thread id; a thread that ends between the two reads is skipped. */
export function threadCpuNs(pid: number): Map<number, number> {
  const byThread = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
    } catch {
      continue;
    }
    byThread.set(Number(tid), parseSchedstat(text));
  }
  return byThread;
}

/** The first field of a schedstat line: nanoseconds on a CPU. */
export function parseSchedstat(text: string): number {
  const field = text.trim().split(/\s+/)[0] ?? "";
  const ns = Number(field);
  if (!/^\d+$/.test(field) || !Number.isSafeInteger(ns))
    throw new Error(`not a schedstat line: ${JSON.stringify(text.slice(0, 80))}`);
  return ns;
}

/**
 * What each thread spent between two reads, numbered as callgrind numbers threads: the process's
 * main thread (its thread id is its process id: workerd serves requests there) is 1, the others
 * follow from 2 in thread-id order. A thread born in the window counts from zero.
 */
export function cpuSince(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  pid: number,
): Map<number, number> {
  if (!after.has(pid)) throw new Error(`no CPU time for the main thread ${pid}`);
  const spent = new Map<number, number>([[1, after.get(pid)! - (before.get(pid) ?? 0)]]);
  let next = 2;
  for (const tid of [...after.keys()].filter((tid) => tid !== pid).sort((a, b) => a - b))
    spent.set(next++, after.get(tid)! - (before.get(tid) ?? 0));
  return spent;
}
