/// <reference types="node" />
// Starts a server in a child process and waits for the line where it says its URL; stop()
// ends exactly that process. Output is kept so a failure can show what the server said.
import { spawn } from "node:child_process";
import { ROOT } from "./child-process.ts";

export interface ServerProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

const LISTENING = /listening on (http:\/\/[^\s]+)/;

export function startServerProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<ServerProcess> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(" ")} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString("utf8");
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1].replace(/\/$/, ""), output: () => output, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
