// Cold start, our side: createBedrock() and one chat completion.
import { createBedrock } from "../../src/index.ts";
import type { ColdStartEntry } from "./cold-start.ts";

export const firstRequest: ColdStartEntry["firstRequest"] = async (endpoint, credentials, modelId) => {
  const bedrock = createBedrock({ endpoint, credentials });
  const completion = await bedrock.chat.completions.create({
    model: `bedrock/llama/${modelId}`,
    messages: [{ role: "user", content: "Hello" }],
  });
  return completion.choices[0]?.message.content ?? "";
};
