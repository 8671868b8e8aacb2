/// <reference types="node" />
// Runs a runtime as a child process, in the project's root. runForReport() reads the JSON report
// the process prints as its last line. Failures carry the process's output, so a red test says
// what the runtime complained about.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A binary installed by npm (deno, bun, tsc…), called directly: npx would add ~0.5 s per launch. */
export function localBin(name: string): string {
  return `${ROOT}node_modules/.bin/${name}`;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Default: the project's root. */
  cwd?: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? ROOT,
        timeout: options.timeoutMs ?? 30_000,
        env: { ...process.env, NO_COLOR: "1", ...options.env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${command} ${args.join(" ")} failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
        else resolve({ stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

export async function runForReport<T>(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ report: T; ms: number }> {
  const { stdout, stderr, ms } = await runCommand(command, args, options);
  try {
    return { report: JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as T, ms };
  } catch {
    throw new Error(`${command} printed no JSON report.\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
}
