// That the client suites run the releases they say (client-releases.ts): each client's module is
// the alias's own exactly where the newest are asked for, and each tells its version on the wire
// or in its exports, read here from requests it makes to a fetch that answers them itself. In the
// newest-clients project this is what proves vitest's aliases took effect, rather than the pinned
// packages being loaded under the newest ones' names.
import { createOpenAI, VERSION as OPENAI_PROVIDER_VERSION } from "@ai-sdk/openai";
import { createOpenAICompatible, VERSION as COMPATIBLE_PROVIDER_VERSION } from "@ai-sdk/openai-compatible";
import { ChatOpenAI } from "@langchain/openai";
import { generateText } from "ai";
import { generateText as newestGenerateText } from "ai-7";
import { createOpenAI as newestCreateOpenAI } from "ai-sdk-openai-4";
import { createOpenAICompatible as newestCreateOpenAICompatible } from "ai-sdk-openai-compatible-3";
import { ChatOpenAI as NewestChatOpenAI } from "langchain-openai-1.6";
import OpenAI from "openai";
import NewestOpenAI from "openai-7";
import { describe, expect, it } from "vitest";
import { NEWEST_CLIENTS, releaseOf } from "./client-releases.ts";

/** A fetch that keeps each request's headers and refuses it, so that no client waits or retries. */
function refusingFetch(): { fetch: typeof fetch; headers: Headers[] } {
  const headers: Headers[] = [];
  const record = async (input: RequestInfo | URL, init?: RequestInit) => {
    headers.push(new Headers(input instanceof Request ? input.headers : init?.headers));
    return Response.json({ error: { message: "recorded", type: "invalid_request_error" } }, { status: 400 });
  };
  return { fetch: record as typeof fetch, headers };
}

const BASE_URL = "http://127.0.0.1:9/v1";

describe(`the client suites run ${NEWEST_CLIENTS ? "each client's newest release" : "the pinned clients"}`, () => {
  it("each client's module is its newest release's own (the alias's) exactly in the newest-clients project", () => {
    const same = {
      openai: Object.is(OpenAI, NewestOpenAI),
      ai: Object.is(generateText, newestGenerateText),
      "@ai-sdk/openai": Object.is(createOpenAI, newestCreateOpenAI),
      "@ai-sdk/openai-compatible": Object.is(createOpenAICompatible, newestCreateOpenAICompatible),
      "@langchain/openai": Object.is(ChatOpenAI, NewestChatOpenAI),
    };
    expect(same).toEqual({
      openai: NEWEST_CLIENTS,
      ai: NEWEST_CLIENTS,
      "@ai-sdk/openai": NEWEST_CLIENTS,
      "@ai-sdk/openai-compatible": NEWEST_CLIENTS,
      "@langchain/openai": NEWEST_CLIENTS,
    });
  });

  it("openai: its User-Agent names the release", async () => {
    const { fetch, headers } = refusingFetch();
    const client = new OpenAI({ baseURL: BASE_URL, apiKey: "k", maxRetries: 0, fetch });
    await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "Hi" }] }).catch(() => {});
    expect(headers.map((h) => h.get("user-agent"))).toEqual([`OpenAI/JS ${releaseOf("openai")}`]);
  });

  it("ai, @ai-sdk/openai and @ai-sdk/openai-compatible: ai's User-Agent names it, each provider exports its own", async () => {
    const { fetch, headers } = refusingFetch();
    for (const model of [
      createOpenAI({ baseURL: BASE_URL, apiKey: "k", fetch })("m"),
      createOpenAICompatible({ name: "releases", baseURL: BASE_URL, apiKey: "k", fetch })("m"),
    ]) {
      await generateText({ model, prompt: "Hi", maxRetries: 0 }).catch(() => {});
    }
    expect(headers).toHaveLength(2);
    const ai = new RegExp(`^ai/${releaseOf("ai").replace(/\./g, "\\.")} `);
    for (const h of headers) expect(h.get("user-agent")).toMatch(ai);
    expect(OPENAI_PROVIDER_VERSION).toBe(releaseOf("@ai-sdk/openai"));
    expect(COMPATIBLE_PROVIDER_VERSION).toBe(releaseOf("@ai-sdk/openai-compatible"));
  });

  it("@langchain/openai: the openai package it calls with names its major (1.5 calls openai 6, 1.6 openai 7)", async () => {
    // LangChain's own User-Agent names no release of its own; the openai client under it does.
    const { fetch, headers } = refusingFetch();
    const llm = new ChatOpenAI({ model: "m", apiKey: "k", maxRetries: 0, configuration: { baseURL: BASE_URL, fetch } });
    await llm.invoke("Hi").catch(() => {});
    expect(headers).toHaveLength(1);
    const underneath = headers[0]?.get("x-stainless-package-version") ?? "";
    expect(underneath.split(".")[0]).toBe(NEWEST_CLIENTS ? "7" : "6");
    expect(releaseOf("@langchain/openai")).toMatch(NEWEST_CLIENTS ? /^1\.6\./ : /^1\.5\./);
  });
});
