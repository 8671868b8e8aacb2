/// <reference types="node" />
// Runs a bundled benchmark child in a fresh Node process and returns what it reported: the
// last stdout line starting with RESULT_PREFIX, as JSON. A fresh process per measurement keeps
// one benchmark's JIT state and heap out of the next one's numbers.
import { spawn } from "node:child_process";
import { RESULT_PREFIX } from "./report.ts";

export interface ChildRun {
  result: unknown;
  /** Wall time from spawn to exit, in ms. */
  wallMs: number;
}

export function runChild(
  script: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", reject);
    child.once("close", (code) => {
      const wallMs = performance.now() - started;
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${script} exited with ${code}:\n${stderr.slice(-2000)}${stdout.slice(-1000)}`));
        return;
      }
      resolvePromise({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as unknown, wallMs });
    });
  });
}
