import { describe, expect, it } from "vitest";
import {
  apiOfPath,
  askedOutputLimit,
  DEFAULT_OUTPUT_ESTIMATE,
  promptEstimate,
  tokenEstimate,
} from "./token-estimate.ts";

// The markup allowance: 64 a request, 8 a turn (chat messages, Responses input items and instructions).
const markup = (turns: number) => 64 + 8 * turns;
const HELLO = [{ role: "user", content: "Hello there, how are you?" }];
// "llama" + "user" + "Hello there, how are you?": 34 characters.
const HELLO_PROMPT = Math.ceil(34 / 4);

describe("the API a path serves", () => {
  it("with or without /v1", () => {
    expect(["/v1/chat/completions", "/chat/completions"].map(apiOfPath)).toEqual(["chat", "chat"]);
    expect(["/v1/completions", "/completions"].map(apiOfPath)).toEqual(["completions", "completions"]);
    expect(["/v1/responses", "/responses"].map(apiOfPath)).toEqual(["responses", "responses"]);
  });
});

describe("the output limit a request asked for, in its API's own field", () => {
  it("chat: max_completion_tokens over max_tokens, a null one left for the other", () => {
    expect(askedOutputLimit({ max_completion_tokens: 10, max_tokens: 20 }, "chat")).toBe(10);
    expect(askedOutputLimit({ max_completion_tokens: null, max_tokens: 20 }, "chat")).toBe(20);
  });

  it("another API's field is not this one's limit", () => {
    expect(askedOutputLimit({ max_tokens: 20, max_completion_tokens: 5 }, "completions")).toBe(20);
    expect(askedOutputLimit({ max_tokens: 20 }, "responses")).toBeUndefined();
    expect(askedOutputLimit({ max_output_tokens: 20 }, "chat")).toBeUndefined();
  });
});

describe("a request's token estimate", () => {
  it("its text / 4, images left out", () => {
    const image = { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(4000)}` } };
    // "llama", "user" and the part's type "image_url": the image's bytes are not text.
    expect(promptEstimate({ model: "llama", messages: [{ role: "user", content: [image] }] })).toBe(
      Math.ceil((5 + 4 + 9) / 4),
    );
  });

  it("chat: prompt, markup, and the output limit asked for", () => {
    const body = { model: "llama", messages: HELLO, max_tokens: 20 };
    expect(tokenEstimate(body, "chat", undefined)).toBe(HELLO_PROMPT + markup(1) + 20);
    // The model's cap is only a limit for requests that set none.
    expect(tokenEstimate(body, "chat", 10)).toBe(HELLO_PROMPT + markup(1) + 20);
  });

  it("chat without a limit: the model's max_output_tokens, else the default", () => {
    const body = { model: "llama", messages: HELLO };
    expect(tokenEstimate(body, "chat", 500)).toBe(HELLO_PROMPT + markup(1) + 500);
    expect(tokenEstimate(body, "chat", undefined)).toBe(HELLO_PROMPT + markup(1) + DEFAULT_OUTPUT_ESTIMATE);
  });

  it("chat: n answers, each up to the limit", () => {
    expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens: 20, n: 3 }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + 60,
    );
  });

  it("a value that is no count of tokens is no limit (the request is refused later, having used nothing)", () => {
    for (const max_tokens of [0, -5, 1.5, "20", null, true, 1e300]) {
      expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens }, "chat", 500), String(max_tokens)).toBe(
        HELLO_PROMPT + markup(1) + 500,
      );
    }
    expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens: 20, n: "3" }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + 20,
    );
  });

  it("legacy Completions: the prompt as it is (no markup), 16 tokens unless asked, within the cap", () => {
    // "llama" + "Hello there": 16 characters.
    const body = { model: "llama", prompt: "Hello there" };
    expect(tokenEstimate(body, "completions", undefined)).toBe(4 + 16);
    expect(tokenEstimate(body, "completions", 10)).toBe(4 + 10);
    expect(tokenEstimate({ ...body, max_tokens: 100 }, "completions", 1000)).toBe(4 + 100);
  });

  it("legacy Completions: every prompt answered max(n, best_of) times", () => {
    const body = { model: "llama", prompt: ["Hello", "there"], max_tokens: 10 };
    expect(tokenEstimate({ ...body, n: 2 }, "completions", undefined)).toBe(4 + 2 * 2 * 10);
    expect(tokenEstimate({ ...body, n: 2, best_of: 5 }, "completions", undefined)).toBe(4 + 2 * 5 * 10);
  });

  it("Responses: max_output_tokens; a string input is one turn, instructions another", () => {
    // "llama" + "Hello there": 16 characters; with "Be brief.", 25.
    expect(tokenEstimate({ model: "llama", input: "Hello there", max_output_tokens: 30 }, "responses", 500)).toBe(
      4 + markup(1) + 30,
    );
    const items = [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "there" },
    ];
    expect(tokenEstimate({ model: "llama", input: items, instructions: "Be brief." }, "responses", undefined)).toBe(
      Math.ceil((5 + 4 + 5 + 9 + 5 + 9) / 4) + markup(3) + DEFAULT_OUTPUT_ESTIMATE,
    );
  });
});
