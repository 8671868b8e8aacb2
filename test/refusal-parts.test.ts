// An assistant message's refusal parts (OpenAI's ChatCompletionAssistantMessageParam) on every
// route: taken, and read as the assistant's text, through Chat Completions and the Responses API;
// and the message's own refusal, OpenAI's answer shape when its model refuses, the same way.
import { describe, expect, it } from "vitest";
import { emulated, model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";

const routes = Object.keys(ROUTE_FORMATS) as RouteName[];
const REFUSAL = "I cannot help with that request.";

/** The model id the emulator keys a route's bodies by. */
function modelId(route: RouteName): string {
  return model(route).slice(`bedrock/${route}/`.length);
}

describe.each(routes)("assistant refusal parts on route %s", (route) => {
  it("are taken on chat and reach the model as the assistant's text", async () => {
    const { bedrock, emulator } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model(route),
      messages: [
        { role: "user", content: "Help me." },
        { role: "assistant", content: [{ type: "refusal", refusal: REFUSAL }] },
        { role: "user", content: "Then something else." },
      ],
    });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(JSON.stringify(emulator.stats.lastBody(modelId(route)))).toContain(REFUSAL);
  });

  it("a message's own refusal (content null or empty, as OpenAI answers) reaches the model as its text", async () => {
    for (const content of [null, ""]) {
      const { bedrock, emulator } = emulated();
      const completion = await bedrock.chat.completions.create({
        model: model(route),
        messages: [
          { role: "user", content: "Help me." },
          { role: "assistant", content, refusal: REFUSAL },
          { role: "user", content: "Then something else." },
        ],
      });
      expect(completion.choices[0]!.message.content).toBeTruthy();
      const sent = JSON.stringify(emulator.stats.lastBody(modelId(route)));
      expect(sent).toContain(REFUSAL);
      // No model server gets the refusal key: the text is the content.
      expect(sent).not.toContain('"refusal"');
    }
  });

  it("a message's own refusal beside its content: both reach the model", async () => {
    const { bedrock, emulator } = emulated();
    await bedrock.chat.completions.create({
      model: model(route),
      messages: [
        { role: "user", content: "Help me." },
        { role: "assistant", content: "Let me think.", refusal: REFUSAL },
        { role: "user", content: "Then something else." },
      ],
    });
    const sent = JSON.stringify(emulator.stats.lastBody(modelId(route)));
    expect(sent).toContain("Let me think.");
    expect(sent).toContain(REFUSAL);
    expect(sent).not.toContain('"refusal"');
  });

  it("are taken on the Responses API too", async () => {
    const { bedrock, emulator } = emulated();
    const response = await bedrock.responses.create({
      model: model(route),
      input: [
        { role: "user", content: "Help me." },
        { type: "message", role: "assistant", content: [{ type: "refusal", refusal: REFUSAL }] },
        { role: "user", content: "Then something else." },
      ],
    });
    expect(response.status).toBe("completed");
    expect(JSON.stringify(emulator.stats.lastBody(modelId(route)))).toContain(REFUSAL);
  });
});
