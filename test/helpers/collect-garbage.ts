/// <reference types="node" />
// A full garbage collection from a test, without --expose-gc on the command line; then a few
// turns of the event loop, in which FinalizationRegistry callbacks run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export async function collectGarbage(rounds = 3): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let round = 0; round < rounds; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
