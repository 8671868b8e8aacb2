// Tool calling through the library, against the emulator: what reaches Bedrock and what comes back.
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ChatCompletionCreateParams } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";

const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const ask = [{ role: "user" as const, content: "Weather in Paris?" }];

/** The body the emulator last received for a model string. */
function sentBody(emulator: ReturnType<typeof emulated>["emulator"], modelString: string): Record<string, unknown> {
  return emulator.stats.lastBody(modelString.split("/").slice(2).join("/")) as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<BedrockEdgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BedrockEdgeError);
  return error as BedrockEdgeError;
}

describe("the llama route speaks Llama 3.1 by default", () => {
  it("renders the 3.1 template, tools included; template llama3 keeps 3.0 and refuses tools", async () => {
    const { bedrock, emulator } = emulated({
      models: {
        "llama-3.0": { model: model("llama"), template: "llama3" },
        "llama-3.2": { model: model("llama"), template: "llama3_2" },
      },
    });
    await bedrock.chat.completions.create({ model: model("llama"), messages: ask, tools });
    const prompt = String(sentBody(emulator, model("llama")).prompt);
    expect(
      prompt.startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n"),
    ).toBe(true);
    expect(prompt).toContain('"name": "get_weather"');

    await bedrock.chat.completions.create({
      model: "llama-3.2",
      messages: ask,
      chat_template_kwargs: { date_string: "01 Jan 2026" },
    });
    expect(String(sentBody(emulator, model("llama")).prompt)).toContain("Today Date: 01 Jan 2026\n");

    const error = await failure(bedrock.chat.completions.create({ model: "llama-3.0", messages: ask, tools }));
    expect(error).toMatchObject({ status: 400, param: "tools" });
    expect(error.message).toContain('"llama3_1"');
    await bedrock.chat.completions.create({ model: "llama-3.0", messages: ask });
    expect(String(sentBody(emulator, model("llama")).prompt)).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });
});
