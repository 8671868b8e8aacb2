/// <reference types="node" />
// A long-lived benchmark child that serves something on loopback and reports its URL first.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { RESULT_PREFIX } from "./report.ts";

export interface ChildServer {
  url: string;
  /** The serving process, for its CPU time. */
  pid?: number;
  stop(): Promise<void>;
}

export function startChildServer(
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildServer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    let started = false;
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (started || line === undefined) return;
      started = true;
      const { url } = JSON.parse(line.slice(RESULT_PREFIX.length)) as { url: string };
      const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
      resolvePromise({
        url,
        pid: child.pid,
        stop: async () => {
          child.stdin.end();
          const timer = setTimeout(() => child.kill(), 2000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (!started) reject(new Error(`${script} exited with ${code} before serving:\n${stderr.slice(-2000)}`));
    });
  });
}

/** A port free on 127.0.0.1 now (for a process that takes its port as an argument). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
