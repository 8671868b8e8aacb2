/// <reference types="node" />
// scripts/process-tree.ts, as npm start stops wrangler: a process whose own child outlives a
// SIGTERM and a SIGKILL to the parent alone (wrangler's bin, wrangler, workerd) is stopped whole.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { descendantsOf, killAll, stopProcessTree } from "../scripts/process-tree.ts";
import { eventually } from "./helpers/eventually.ts";

// A child that ignores SIGTERM, and a parent that ignores it too and prints the child's pid.
const STUBBORN = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);";
const PARENT = `
  const { spawn } = require("node:child_process");
  const child = spawn(process.execPath, ["-e", ${JSON.stringify(STUBBORN)}], { stdio: "ignore" });
  ${STUBBORN}
  console.log(child.pid);
`;

/** Whether `pid` runs: a zombie (ended, not yet reaped by whoever inherited it) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (name) state …"; Z is a zombie.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

const left: number[] = [];
afterEach(() => killAll(left.splice(0)));

/** The parent, once it has printed its child's pid. */
async function parentAndChild(): Promise<{ parent: ChildProcess; child: number }> {
  const parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "inherit"] });
  let printed = "";
  parent.stdout!.on("data", (data: Buffer) => (printed += data.toString()));
  await eventually(() => /^\d+\n/.test(printed), 10_000, "the child's pid");
  const child = Number(printed.trim());
  left.push(parent.pid!, child);
  return { parent, child };
}

describe("stopping a process and what it started", () => {
  it("finds a process's descendants", async () => {
    const { parent, child } = await parentAndChild();
    expect(descendantsOf(parent.pid!)).toEqual([child]);
  });

  it("a SIGKILL to the parent alone leaves its child running: what npm start's stop did", async () => {
    const { parent, child } = await parentAndChild();
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    parent.kill("SIGKILL");
    await exited;
    expect(alive(child)).toBe(true);
  });

  it("past its grace, SIGKILL to the parent and its child, both gone", async () => {
    const { parent, child } = await parentAndChild();
    const started = Date.now();
    await stopProcessTree(parent, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await eventually(() => !alive(child), 5_000, "the child gone");
  });

  it("a process that exits on SIGTERM is waited for, not killed", async () => {
    const quick = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000);"], { stdio: "ignore" });
    left.push(quick.pid!);
    await stopProcessTree(quick, 10_000);
    expect(quick.signalCode).toBe("SIGTERM");
  });
});
