/// <reference types="node" />
// CPU time of this process's children (Linux /proc), to show where a request's work is done:
// the workerd process running the proxies, the Node processes serving the emulator or a proxy.
import { readdirSync, readFileSync } from "node:fs";

// Where schedstat is missing, Linux reports utime/stime in clock ticks; USER_HZ is 100 on
// every mainstream build.
const MS_PER_TICK = 10;

/**
 * CPU ms of all of a process's threads from the scheduler's own nanosecond counts
 * (/proc/<pid>/task/<tid>/schedstat): the tick counts of /proc/<pid>/stat move in 10 ms steps,
 * coarse next to a request's fraction of a millisecond.
 */
function schedulerMs(pid: string): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** [command, user+system ms] of a process, or undefined when it is gone (or off Linux). */
function statOf(pid: string): { command: string; ppid: number; ms: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(")");
  // Fields after the command: state ppid … utime(12th) stime(13th).
  const fields = stat.slice(close + 2).split(" ");
  return {
    command: stat.slice(stat.indexOf("(") + 1, close),
    ppid: Number(fields[1]),
    ms: schedulerMs(pid) ?? (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK,
  };
}

/** Total user+system CPU ms of child processes whose command name contains `name`; undefined off Linux. */
export function childCpuMs(name: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ms = 0;
  for (const pid of entries) {
    const stat = statOf(pid);
    if (stat && stat.ppid === process.pid && stat.command.includes(name)) ms += stat.ms;
  }
  return ms;
}

/** User+system CPU ms of one process; undefined when it cannot be read. */
export function processCpuMs(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : statOf(String(pid))?.ms;
}
