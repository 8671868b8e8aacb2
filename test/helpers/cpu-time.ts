/// <reference types="node" />
/**
 * The CPU time, in ms, this process spends while `work` runs: "quickly" told apart from
 * "unbounded" in a way a loaded machine cannot blur, as it does wall time (a process waiting for
 * a core is not working). One test at a time runs in a file's process (vitest's default), so the time is `work`'s.
 */
export async function cpuMsOf(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}
