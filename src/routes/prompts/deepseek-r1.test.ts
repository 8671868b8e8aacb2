// Golden prompts of the DeepSeek-R1-Distill chat template. Each expected string is what
// transformers' apply_chat_template(add_generation_prompt=True) renders for the same conversation.
import { describe, expect, it } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { user, weather } from "../../../test/helpers/prompts.ts";
import { BedrockEdgeError } from "../../errors.ts";
import type { ChatMessage } from "../../openai/types.ts";
import { renderDeepSeekR1Prompt } from "./deepseek-r1.ts";

const render = (messages: ChatMessage[]): string => renderDeepSeekR1Prompt({ messages, kwargs: {} });
const weatherCall = (id: string, city: string) => ({
  id,
  type: "function" as const,
  function: { name: "get_weather", arguments: `{"city":"${city}"}` },
});

describe("deepseek_r1: system message", () => {
  it("starts with BOS and opens the answer inside <think>", () => {
    expect(render([user("Hello")])).toBe("<｜begin▁of▁sentence｜><｜User｜>Hello<｜Assistant｜><think>\n");
  });

  it("keeps only the last system (or developer) message, right after BOS", () => {
    const prompt = render([
      { role: "system", content: "Old rules." },
      user("Hi"),
      { role: "developer", content: "New rules." },
      user("Again"),
    ]);
    expect(prompt).toBe("<｜begin▁of▁sentence｜>New rules.<｜User｜>Hi<｜User｜>Again<｜Assistant｜><think>\n");
  });

  it("uses the special tokens with U+FF5C and U+2581", () => {
    const prompt = render([user("x")]);
    expect(prompt.startsWith("<\uff5cbegin\u2581of\u2581sentence\uff5c>")).toBe(true);
    expect(prompt.endsWith("<\uff5cAssistant\uff5c><think>\n")).toBe(true);
  });
});

describe("deepseek_r1: multi-turn", () => {
  it("keeps only what follows the last </think> of earlier answers", () => {
    const prompt = render([
      user("2+2?"),
      { role: "assistant", content: "<think>\nAdd them.\n</think>\n\n4" },
      user("Times 3?"),
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>\n" +
        "\n" +
        "4<｜end▁of▁sentence｜><｜User｜>Times 3?<｜Assistant｜><think>\n",
    );
  });

  it("joins text parts with a newline, as vLLM does", () => {
    const prompt = render([
      {
        role: "user",
        content: [
          { type: "text", text: "Hello" },
          { type: "text", text: "world" },
        ],
      },
    ]);
    expect(prompt).toBe("<｜begin▁of▁sentence｜><｜User｜>Hello\nworld<｜Assistant｜><think>\n");
  });
});

describe("deepseek_r1: unicode", () => {
  it("passes text through unchanged", () => {
    expect(render([user("Ça va ? 日本語 👋🏽\n")])).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Ça va ? 日本語 👋🏽\n<｜Assistant｜><think>\n",
    );
  });
});

describe("deepseek_r1: tool calls and results", () => {
  it("renders calls in ```json blocks and results between tool-output markers", () => {
    const prompt = render([
      user("Paris and Oslo?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("1", "Paris"), weatherCall("2", "Oslo")] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      { role: "tool", tool_call_id: "2", content: "9°C" },
      { role: "assistant", content: "Paris 18°C, Oslo 9°C." },
      user("Thanks"),
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris and Oslo?" +
        "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Paris"}\n' +
        "```<｜tool▁call▁end｜>\n" +
        "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Oslo"}\n' +
        "```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜>\n" +
        "<｜tool▁output▁begin｜>9°C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>" +
        "Paris 18°C, Oslo 9°C.<｜end▁of▁sentence｜><｜User｜>Thanks<｜Assistant｜><think>\n",
    );
  });

  it("ends with the tool outputs (no generation prompt) when they are last", () => {
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("1", "Paris")] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris?" +
        "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Paris"}\n' +
        "```<｜tool▁call▁end｜>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>",
    );
  });

  it("keeps the template's conversation-wide call and output counters", () => {
    // The official template never resets them: a later tool-call turn continues the first one.
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("1", "Paris")] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      { role: "assistant", content: "18°C." },
      user("Oslo?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("2", "Oslo")] },
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris?" +
        "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Paris"}\n' +
        "```<｜tool▁call▁end｜>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>" +
        "18°C.<｜end▁of▁sentence｜><｜User｜>Oslo?\n" +
        "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Oslo"}\n' +
        "```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜><｜Assistant｜><think>\n",
    );
  });

  it("ends the tool outputs' turn at a user message, which gets the generation prompt", () => {
    // The template leaves the outputs unclosed here, as it does: a user turn resets it all the same.
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("1", "Paris")] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      user("And in Rome?"),
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris?" +
        "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Paris"}\n' +
        "```<｜tool▁call▁end｜>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜>" +
        "<｜User｜>And in Rome?<｜Assistant｜><think>\n",
    );
  });

  it("keeps an answer right after tool outputs whole, its reasoning too (only answers it opens itself lose theirs)", () => {
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: null, tool_calls: [weatherCall("1", "Paris")] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      { role: "assistant", content: "<think>\nMild.\n</think>\n\nParis is 18°C." },
      user("Thanks"),
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris?" +
        "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" +
        "```json\n" +
        '{"city":"Paris"}\n' +
        "```<｜tool▁call▁end｜>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>" +
        "<think>\nMild.\n</think>\n\nParis is 18°C.<｜end▁of▁sentence｜><｜User｜>Thanks<｜Assistant｜><think>\n",
    );
  });

  it("renders only the content of an assistant message that has content and tool calls", () => {
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: "Checking.", tool_calls: [weatherCall("1", "Paris")] },
    ]);
    expect(prompt).toBe(
      "<｜begin▁of▁sentence｜><｜User｜>Paris?<｜Assistant｜>Checking.<｜end▁of▁sentence｜><｜Assistant｜><think>\n",
    );
  });
});

describe("deepseek_r1: offered tools (the template has no tools block)", () => {
  const section =
    "# Tools\n" +
    "\n" +
    "You may call the functions below, given as JSON schemas within <tools></tools> tags:\n" +
    "<tools>\n" +
    '{"type": "function", "function": {"name": "get_weather", "description": "Current weather — «city» in °C", ' +
    '"parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}, ' +
    '"required": ["city"]}}}\n' +
    "</tools>\n" +
    "\n" +
    "To call a function, answer with its name and a JSON object of arguments in this format:\n" +
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜><function-name>\n" +
    "```json\n" +
    "<arguments-json-object>\n" +
    "```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";

  it("are described after the system prompt, in the call format the template renders in history", () => {
    const prompt = renderDeepSeekR1Prompt({
      messages: [{ role: "system", content: "Be brief." }, user("Weather in Paris?")],
      tools: [weather],
      kwargs: {},
    });
    expect(prompt).toBe(
      `<｜begin▁of▁sentence｜>Be brief.\n\n${section}<｜User｜>Weather in Paris?<｜Assistant｜><think>\n`,
    );
  });

  it("stand alone without a system prompt, and are left out when none are offered", () => {
    expect(renderDeepSeekR1Prompt({ messages: [user("Hi")], tools: [weather], kwargs: {} })).toBe(
      `<｜begin▁of▁sentence｜>${section}<｜User｜>Hi<｜Assistant｜><think>\n`,
    );
    expect(renderDeepSeekR1Prompt({ messages: [user("Hi")], tools: [], kwargs: {} })).toBe(render([user("Hi")]));
  });
});

describe("deepseek_r1: errors", () => {
  it("refuses image parts with a 400 naming the message", () => {
    const messages: ChatMessage[] = [
      user("Hi"),
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
    ];
    const error = errorOf(() => render(messages));
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect(error).toMatchObject({
      status: 400,
      param: "messages[1].content",
      message:
        "messages[1].content has an image, but the deepseek_r1 chat template is text-only: " +
        "send text parts only, or use a vision model.",
    });
  });
});
