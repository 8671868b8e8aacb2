// Cold start, a peer: the AI SDK's Bedrock provider and one generateText call (Converse).
import { aiSdkModel, aiSdkText } from "../peers/ai-sdk.ts";
import type { ColdStartEntry } from "./cold-start.ts";

export const firstRequest: ColdStartEntry["firstRequest"] = (endpoint, credentials, modelId) =>
  aiSdkText(aiSdkModel(endpoint, credentials, modelId), "Hello");
