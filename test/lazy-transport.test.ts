// The transport loads with the first call (src/client.ts): a request aborted while it is still
// loading (a browser fetching its chunk) ends there, without telling a deployment it never reached.
import { describe, expect, it, vi } from "vitest";
import { emulated, model } from "./helpers/emulated.ts";

let release!: () => void;
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
vi.mock("../src/model-call.ts", async (importOriginal) => {
  await gate;
  return importOriginal();
});

describe("a request aborted while the transport loads", () => {
  it("on a model of several deployments: an AbortError, no deployment told, nothing sent", async () => {
    let chosen!: () => void;
    const choosing = new Promise<void>((resolve) => {
      chosen = resolve;
    });
    const cooldownStore = {
      // The router reads the cool-downs just before it chooses a deployment.
      cooling: async () => {
        chosen();
        return {};
      },
      coolDown: async () => {},
      recover: async () => {},
    };
    const { bedrock, emulator } = emulated({
      region: "us-east-1",
      cooldownStore,
      models: { m: { deployments: [{ model: model("llama") }, { model: model("llama", "slow1") }] } },
    });
    const onDeployment = vi.fn();
    const controller = new AbortController();
    const answer = bedrock.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "Hi" }] }, { signal: controller.signal, onDeployment })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await choosing;
    // The router has chosen; its attempt now waits for the transport.
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    release();
    const error = await answer;
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(onDeployment).not.toHaveBeenCalled();
    expect(emulator.stats.requests).toHaveLength(0);
  });
});
