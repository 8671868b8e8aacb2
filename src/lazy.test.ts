import { describe, expect, it, vi } from "vitest";
import { BedrockEdgeError } from "./errors.ts";
import { lazy } from "./lazy.ts";

describe("lazy", () => {
  it("loads once, on first use, and hands out the same promise after", async () => {
    let loads = 0;
    const load = lazy(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const first = load();
    expect(load()).toBe(first);
    expect(await first).toEqual({ n: 1 });
    expect(await load()).toEqual({ n: 1 });
    expect(loads).toBe(1);
  });

  it("tries again after a failed load", async () => {
    let loads = 0;
    const load = lazy(async () => {
      loads++;
      if (loads === 1) throw new Error("offline");
      return "module";
    });
    await expect(load()).rejects.toThrow("offline");
    expect(await load()).toBe("module");
    expect(loads).toBe(2);
  });
});

describe("the APIs the client loads on first call", () => {
  it("bedrock.responses tries its module again after a failed load", async () => {
    let loads = 0;
    vi.doMock("./responses/client.ts", async (importOriginal) => {
      // A first load that fails, as a chunk fetched over a flaky network does in a browser.
      if (++loads === 1) throw new Error("offline");
      return importOriginal();
    });
    const { createBedrock } = await import("./client.ts");
    const bedrock = createBedrock({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const request = { model: "bedrock/llama", input: "hi" };
    await expect(bedrock.responses.create(request)).rejects.not.toBeInstanceOf(BedrockEdgeError);
    // The module loaded this time: the Responses API itself answers (the model name is incomplete).
    await expect(bedrock.responses.create(request)).rejects.toBeInstanceOf(BedrockEdgeError);
    expect(loads).toBe(2);
    vi.doUnmock("./responses/client.ts");
  });
});
