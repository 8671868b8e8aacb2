import { describe, expect, it } from "vitest";
import { createStats, MAX_MODELS } from "./stats.ts";

describe("the emulator's per-model stats", () => {
  it("count calls and keep the last body of each model id", () => {
    const { stats, recorder } = createStats();
    expect([recorder.nextCall("a"), recorder.nextCall("a"), recorder.nextCall("b")]).toEqual([0, 1, 0]);
    recorder.body("a", { n: 1 });
    recorder.body("a", { n: 2 });
    expect([stats.calls("a"), stats.calls("b"), stats.calls("never")]).toEqual([2, 1, 0]);
    expect([stats.lastBody("a"), stats.lastBody("b")]).toEqual([{ n: 2 }, undefined]);
    stats.reset();
    expect([stats.calls("a"), stats.lastBody("a")]).toEqual([0, undefined]);
  });

  it("are bounded: past MAX_MODELS ids, the least recently called one is forgotten", () => {
    const { stats, recorder } = createStats();
    const call = (modelId: string) => {
      recorder.body(modelId, { model: modelId });
      recorder.nextCall(modelId);
    };
    call("first");
    call("kept");
    for (let i = 0; i < MAX_MODELS - 2; i++) call(`id-${i}`);
    // MAX_MODELS ids so far: all remembered. "kept" is used again, so "first" is now the oldest.
    expect([stats.calls("first"), stats.calls("kept")]).toEqual([1, 1]);
    call("kept");
    call("one-more");
    expect([stats.calls("first"), stats.lastBody("first")]).toEqual([0, undefined]);
    expect([stats.calls("kept"), stats.lastBody("kept")]).toEqual([2, { model: "kept" }]);
    expect([stats.calls("id-0"), stats.calls("one-more")]).toEqual([1, 1]);
    // Many more distinct ids: still MAX_MODELS remembered at most, the latest among them.
    for (let i = 0; i < 3 * MAX_MODELS; i++) call(`soak-${i}`);
    const remembered = [...Array(3 * MAX_MODELS).keys()].filter((i) => stats.calls(`soak-${i}`) === 1);
    expect(remembered).toEqual([...Array(MAX_MODELS).keys()].map((i) => 2 * MAX_MODELS + i));
  });
});
