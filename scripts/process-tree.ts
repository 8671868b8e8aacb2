/// <reference types="node" />
// Stopping a child process and everything it started. wrangler's bin script runs wrangler itself
// as a process of its own, which runs workerd: a SIGKILL to the process npm start spawned ends
// that one alone, and what it started (still shutting down, or stuck) stays on, holding the
// proxy's port and ignoring a later SIGTERM (seen in a loaded CI run after a failed test).
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The processes a process started, as Linux's /proc lists them, or `pgrep -P` elsewhere. */
export function childrenOf(pid: number): number[] {
  const pids = (text: string) => text.split(/\s+/).filter(Boolean).map(Number);
  try {
    return pids(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8"));
  } catch {
    try {
      return pids(
        execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
      );
    } catch {
      // None, or no way to tell (pgrep exits 1 for none).
      return [];
    }
  }
}

/** Every process under `pid`, the deepest first. */
export function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [...descendantsOf(child), child]);
}

/**
 * SIGKILL to `child` and every process under it, found before any is killed: a process whose
 * parent died is no longer found under it.
 */
export function killProcessTree(child: ChildProcess): void {
  const below = child.pid === undefined ? [] : descendantsOf(child.pid);
  child.kill("SIGKILL");
  killAll(below);
}

/** SIGKILL to each of `pids` that still runs. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Ended already.
    }
  }
}

/** SIGTERM to `child`; past `graceMs` without its exit, killProcessTree. Resolves when it has exited. */
export async function stopProcessTree(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => killProcessTree(child), graceMs);
  await exited;
  clearTimeout(timer);
}
