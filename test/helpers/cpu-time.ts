/// <reference types="node" />
/**
 * The CPU time, in ms, this process spends while `work` runs: "quickly" told apart from
 * "unbounded" in a way a loaded machine cannot blur, as it does wall time (a process waiting for
 * a core is not working). One test at a time runs in the process, so the time is `work`'s, but for
 * what the process does meanwhile of its own: the garbage and leftover work of the files that ran
 * before this one in it (vitest.config.mts), small beside what the bounds it is used for allow.
 */
export async function cpuMsOf(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}
