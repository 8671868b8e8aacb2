/// <reference types="node" />
// The `workerd` package's binary serving a config of the bench's own (no Miniflare), as the
// instructions, cpu and profile suites start it: its ports read from --control-fd=3, the end of
// its stderr kept to say why it failed.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { ROOT } from "./build.ts";
import { listenedPorts } from "./callgrind.ts";

export const WORKERD = join(ROOT, "node_modules", "workerd", "bin", "workerd");

export const WORKERD_ARGS = (config: string) => ["serve", config, "--experimental", "--control-fd=3"];

/** An error's message with its cause's (undici's "fetch failed" says why only there). */
export function failure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** The ports workerd says it listens on (--control-fd=3), once every socket does. */
export function listening(
  child: ChildProcess,
  sockets: number,
  what: string,
  stderr: () => string,
): Promise<Map<string, number>> {
  return new Promise<Map<string, number>>((resolve, reject) => {
    let control = "";
    const timer = setTimeout(() => reject(new Error(`${what} not up in 180 s:\n${stderr()}`)), 180_000);
    (child.stdio[3] as Readable).setEncoding("utf8").on("data", (text: string) => {
      control += text;
      const found = listenedPorts(control);
      if (found.size < sockets) return;
      clearTimeout(timer);
      resolve(found);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${stderr()}`));
    });
  });
}

/** Starts `command`, keeping the end of its stderr; `stop` ends it (SIGKILL after 10 s). */
export function spawned(
  command: string,
  args: readonly string[],
  directory: string,
  stdout: "pipe" | "ignore" = "pipe",
) {
  const child = spawn(command, args, { cwd: directory, stdio: ["ignore", stdout, "pipe", "pipe"] });
  let stderr = "";
  child.stdout?.resume();
  (child.stderr as Readable).setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    stderr: () => stderr,
    state: () =>
      `${child.exitCode === null && child.signalCode === null ? "workerd still running" : `workerd exited (${child.exitCode ?? child.signalCode})`}; its stderr ends:\n${stderr.slice(-1500)}`,
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
