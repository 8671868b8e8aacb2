/// <reference types="node" />
// CPU time of this process's children by name (Linux /proc), to show where a request's work
// is done: the workerd process running the proxy, the Node process serving the emulator.
import { readdirSync, readFileSync } from "node:fs";

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream build.
const MS_PER_TICK = 10;

/** Total user+system CPU ms of child processes whose command name contains `name`; undefined off Linux. */
export function childCpuMs(name: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // The process ended while we looked.
    }
    const close = stat.lastIndexOf(")");
    const command = stat.slice(stat.indexOf("(") + 1, close);
    // Fields after the command: state ppid … utime(12th) stime(13th).
    const fields = stat.slice(close + 2).split(" ");
    if (Number(fields[1]) !== process.pid || !command.includes(name)) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * MS_PER_TICK;
}
