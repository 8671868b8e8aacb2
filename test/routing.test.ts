// Several deployments of one model, end to end against the emulator: which copy serves, when a
// request moves on (each fault class, before the first byte only), cool-downs kept in a store
// two clients share, own credentials per copy, weighted and least_busy routing.
import { describe, expect, it, vi } from "vitest";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { converseModelId } from "../emulator/converse-model-id.ts";
import { awsError } from "../emulator/errors.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId, type ModelIdOption } from "../emulator/model-id.ts";
import { memoryCooldownStore } from "../src/core.ts";
import { llamaRoute } from "../src/routes/llama.ts";
import { openaiRoute } from "../src/routes/openai.ts";
import {
  BedrockEdgeError,
  type BedrockOptions,
  type ChatCompletionChunk,
  createBedrock,
  type DeploymentEvent,
  type FailoverUsageEvent,
  type RoutedModelConfig,
} from "../src/index.ts";
import { errorOf } from "./helpers/errors.ts";
import { failingPromptFetch } from "./helpers/failing-prompt.ts";

const hello = [{ role: "user" as const, content: "Hello there" }];
const EAST = "us-east-1";
const WEST = "us-west-2";

/** An emulator llama in `region` with fault options: copies of one model, each counted apart. */
const llama = (region: string, ...options: ModelIdOption[]) => emulatorModelId("llama", options, region);

function setup(models: Record<string, RoutedModelConfig>, options: Partial<BedrockOptions> = {}) {
  const emulator = createEmulator();
  const authorizations: string[] = [];
  const sent: Request[] = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    fetch: (input, init) => {
      const request = new Request(input, init);
      sent.push(request);
      authorizations.push(request.headers.get("authorization")?.split(" ")[0] ?? "");
      return emulator.fetch(request);
    },
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    modelReadyTimeoutMs: 1000,
    models,
    ...options,
  });
  /** The requests sent to `modelId`, each with the signal that would abort it. */
  const sentTo = (modelId: string) => sent.filter((request) => decodeURIComponent(request.url).includes(modelId));
  return { bedrock, calls: (modelId: string) => emulator.stats.calls(modelId), authorizations, emulator, sentTo };
}

function pair(first: string, second: string, extra: Partial<RoutedModelConfig> = {}): RoutedModelConfig {
  return { deployments: [{ model: `bedrock/llama/${first}` }, { model: `bedrock/llama/${second}` }], ...extra };
}

async function text(stream: AsyncIterable<ChatCompletionChunk>): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += chunk.choices[0]?.delta.content ?? "";
  return out;
}

describe("a request moves to the next deployment before the first byte", () => {
  const faults: Record<string, ModelIdOption[]> = {
    throttling: ["throttle"],
    "a 500": ["err500"],
    "a 503": ["err503"],
    "a throttling exception in the stream's first frame": ["midstream-throttlingException0"],
  };

  for (const [fault, options] of Object.entries(faults)) {
    it(`on ${fault}, plain and streamed, at once (no retries on the failing copy)`, async () => {
      const failing = llama(EAST, ...options);
      const warm = llama(WEST);
      const { bedrock, calls } = setup({ m: pair(failing, warm) });
      const events: DeploymentEvent[] = [];
      const stream = options[0]!.startsWith("midstream");
      if (!stream) {
        const plain = await bedrock.chat.completions.create(
          { model: "m", messages: hello },
          { onDeployment: (event) => events.push(event) },
        );
        expect(plain.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
        expect(events).toEqual([
          { index: 0, tried: 1 },
          { index: 1, tried: 2 },
        ]);
      }
      // The failing copy now cools down: the next request goes straight to the warm one.
      const streamed = await bedrock.chat.completions.create({ model: "m", messages: hello, stream: true });
      expect(await text(streamed)).toContain("Hello from the Bedrock emulator (llama)");
      expect(calls(failing)).toBe(1);
      expect(calls(warm)).toBe(stream ? 1 : 2);
    });
  }

  it("on a timeout (timeoutMs) of a copy that does not answer", async () => {
    // The stalled copy would answer after a minute, far past the test's own timeout: the warm
    // copy's answer can only come from giving up on it.
    const stalled = llama(EAST, "wait60000");
    const warm = llama(WEST);
    // 2 s: the warm copy's whole call must fit in it too, on a loaded machine.
    const { bedrock, calls, sentTo } = setup({ m: pair(stalled, warm) }, { timeoutMs: 2000 });
    const completion = await bedrock.chat.completions.create({ model: "m", messages: hello });
    expect(completion.choices[0]!.message.content).toContain("(llama)");
    expect(calls(stalled)).toBe(1);
    expect(calls(warm)).toBe(1);
    // The stalled call was not left running: its request was aborted, by the timeout.
    const [stalledRequest] = sentTo(stalled);
    expect(sentTo(stalled)).toHaveLength(1);
    expect(stalledRequest!.signal.aborted).toBe(true);
    expect(stalledRequest!.signal.reason).toBeInstanceOf(BedrockEdgeError);
    expect(stalledRequest!.signal.reason).toMatchObject({ message: expect.stringContaining("(timeoutMs)") });
  });

  it("on a sleeping copy while another is warm: the warm one serves, nobody waits", async () => {
    const sleeping = llama(EAST, "notready");
    const warm = llama(WEST);
    const { bedrock, calls } = setup({ m: pair(sleeping, warm) });
    const retries: number[] = [];
    await bedrock.chat.completions.create({ model: "m", messages: hello }, { onRetry: (e) => retries.push(e.attempt) });
    expect(retries).toEqual([]);
    expect([calls(sleeping), calls(warm)]).toEqual([1, 1]);
  });

  it("when every copy sleeps, the first is waited for as a single model would be", async () => {
    const first = llama(EAST, "notready3");
    const second = llama(WEST, "notready");
    const { bedrock, calls } = setup({ m: pair(first, second) });
    const events: DeploymentEvent[] = [];
    const waits: string[] = [];
    const completion = await bedrock.chat.completions.create(
      { model: "m", messages: hello },
      { onDeployment: (event) => events.push(event), onRetry: (event) => waits.push(event.error.bedrockError ?? "") },
    );
    expect(completion.choices[0]!.message.content).toContain("(llama)");
    expect(events.map((event) => event.index)).toEqual([0, 1, 0]);
    expect(calls(first)).toBe(4);
    expect(calls(second)).toBe(1);
    expect(waits).toEqual(["ModelNotReadyException", "ModelNotReadyException"]);
  });

  it("never after the first byte: an exception mid-stream ends that stream", async () => {
    const breaking = llama(EAST, "midstream-throttlingException3");
    const warm = llama(WEST);
    const { bedrock, calls } = setup({ m: pair(breaking, warm) });
    const stream = await bedrock.chat.completions.create({ model: "m", messages: hello, stream: true });
    const error = await errorOf(() => text(stream), BedrockEdgeError);
    expect(error.status).toBe(429);
    expect([calls(breaking), calls(warm)]).toEqual([1, 0]);
  });

  it("nor on the request's own errors, which every copy would refuse", async () => {
    const { bedrock, calls } = setup({ m: pair(llama(EAST, "ctx"), llama(WEST)) });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: "m", messages: hello }),
      BedrockEdgeError,
    );
    expect(error.code).toBe("context_length_exceeded");
    expect(calls(llama(WEST))).toBe(0);
  });

  it("and answers the last copy's error, after its retries, when every copy fails", async () => {
    const { bedrock, calls } = setup({ m: pair(llama(EAST, "err503"), llama(WEST, "throttle")) }, { maxRetries: 2 });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: "m", messages: hello }),
      BedrockEdgeError,
    );
    expect(error.status).toBe(429);
    expect([calls(llama(EAST, "err503")), calls(llama(WEST, "throttle"))]).toEqual([1, 3]);
  });
});

describe("legacy completions and the Responses API", () => {
  it("completions: every call of a request moves to the next copy together, plain and streamed", async () => {
    const failing = llama(EAST, "throttle");
    const warm = llama(WEST);
    const { bedrock, calls } = setup({ m: pair(failing, warm) });
    const events: DeploymentEvent[] = [];
    // Two prompts: BedrockCompletion takes one a call, so this request is two calls.
    const completion = await bedrock.completions.create(
      { model: "m", prompt: ["Once upon a time", "The capital of France is"], max_tokens: 16 },
      { onDeployment: (event) => events.push(event) },
    );
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
    expect(events).toEqual([
      { index: 0, tried: 1 },
      { index: 1, tried: 2 },
    ]);
    expect(calls(warm)).toBe(2);
    // The failing copy cools down: the stream goes straight to the warm one.
    const streamed: DeploymentEvent[] = [];
    const stream = await bedrock.completions.create(
      { model: "m", prompt: "Hello", stream: true },
      { onDeployment: (event) => streamed.push(event) },
    );
    let out = "";
    for await (const chunk of stream) out += chunk.choices[0]?.text ?? "";
    expect(out.length).toBeGreaterThan(0);
    expect(streamed).toEqual([{ index: 1, tried: 1 }]);
    expect(calls(warm)).toBe(3);
  });

  it("responses: moves on alike, and says which copy served", async () => {
    const failing = llama(EAST, "err503");
    const warm = llama(WEST);
    const { bedrock, calls } = setup({ m: pair(failing, warm) });
    const events: DeploymentEvent[] = [];
    const response = await bedrock.responses.create(
      { model: "m", input: "Hello there" },
      { onDeployment: (event) => events.push(event) },
    );
    expect(response.status).toBe("completed");
    expect(JSON.stringify(response.output)).toContain("Hello from the Bedrock emulator (llama)");
    expect(events.map((event) => event.index)).toEqual([0, 1]);
    expect([calls(failing), calls(warm)]).toEqual([1, 1]);
  });
});

describe("what the attempts that failed over were billed (usage6 #1)", () => {
  // Two prompts, a call each (BedrockCompletion): on a throttled copy the first answers, and is
  // billed, before the second is throttled and the request moves on.
  const prompt = ["AAA once upon a time", "BBB twice"];
  const throttled = awsError("ThrottlingException", "Too many requests, please wait before trying again.");

  /** The copies, and a client whose calls of the "BBB" prompt `failing` throttles. */
  function throttlingSecondPrompt(failing: string, options: Partial<BedrockOptions> = {}) {
    const first = llama(EAST);
    const second = llama(WEST);
    const emulator = createEmulator();
    const fetch = failingPromptFetch(emulator, "BBB", 1, { error: throttled, model: failing, ...options });
    const { bedrock } = setup({ m: pair(first, second) }, { fetch, maxRetries: 0 });
    return { bedrock, first, second };
  }

  /** What one prompt costs on a copy, asked of that copy alone. */
  async function usageOf(modelId: string, text: string) {
    const { bedrock } = setup({});
    return (await bedrock.completions.create({ model: `bedrock/llama/${modelId}`, prompt: text, max_tokens: 8 })).usage;
  }

  it("a copy that serves after one that was billed: onFailoverUsage tells the first copy's, the answer keeps its own", async () => {
    const { bedrock, first, second } = throttlingSecondPrompt(llama(EAST));
    const told: FailoverUsageEvent[] = [];
    const completion = await bedrock.completions.create(
      { model: "m", prompt, max_tokens: 8 },
      { onFailoverUsage: (event) => told.push(event) },
    );
    const [a0, a1, b1] = await Promise.all([
      usageOf(first, prompt[0]!),
      usageOf(second, prompt[0]!),
      usageOf(second, prompt[1]!),
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: a1!.prompt_tokens + b1!.prompt_tokens,
      completion_tokens: a1!.completion_tokens + b1!.completion_tokens,
      total_tokens: a1!.total_tokens + b1!.total_tokens,
    });
    expect(told).toEqual([{ usage: a0 }]);
    // A request no attempt of which was billed tells nothing.
    const quiet: FailoverUsageEvent[] = [];
    await bedrock.completions.create(
      { model: "m", prompt: "AAA", max_tokens: 8 },
      { onFailoverUsage: (event) => quiet.push(event) },
    );
    expect(quiet).toEqual([]);
  });

  it("when every copy fails, the error adds up every attempt's", async () => {
    const { bedrock, first, second } = throttlingSecondPrompt("imported-model/");
    const told: FailoverUsageEvent[] = [];
    const error = await errorOf(
      () =>
        bedrock.completions.create(
          { model: "m", prompt, max_tokens: 8 },
          { onFailoverUsage: (event) => told.push(event) },
        ),
      BedrockEdgeError,
    );
    expect(error.status).toBe(429);
    const [a0, a1] = await Promise.all([usageOf(first, prompt[0]!), usageOf(second, prompt[0]!)]);
    expect(error.usage).toEqual({
      prompt_tokens: a0!.prompt_tokens + a1!.prompt_tokens,
      completion_tokens: a0!.completion_tokens + a1!.completion_tokens,
      total_tokens: a0!.total_tokens + a1!.total_tokens,
    });
    expect(told).toEqual([]);
  });

  it("a stream: the first copy's call that had opened, its counts unread, is told as such", async () => {
    const { bedrock } = throttlingSecondPrompt(llama(EAST));
    const told: FailoverUsageEvent[] = [];
    const stream = await bedrock.completions.create(
      { model: "m", prompt, max_tokens: 8, stream: true },
      { onFailoverUsage: (event) => told.push(event) },
    );
    for await (const _ of stream);
    expect(told).toEqual([{ unmeteredCalls: [{ prompt: 0, chunks: expect.any(Number) }] }]);
  });
});

describe("copies on the converse route", () => {
  it("move on the same way: Converse's throttling in one region, its answer from the other", async () => {
    const east = converseModelId("us.amazon.nova-pro-v1:0", ["throttle"]);
    const eu = converseModelId("eu.amazon.nova-pro-v1:0");
    const { bedrock, calls } = setup({
      nova: {
        deployments: [
          { model: `bedrock/converse/${east}`, region: "us-east-1" },
          { model: `bedrock/converse/${eu}`, region: "eu-west-1" },
        ],
      },
    });
    const events: DeploymentEvent[] = [];
    const completion = await bedrock.chat.completions.create(
      { model: "nova", messages: hello },
      { onDeployment: (event) => events.push(event) },
    );
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(events.map((event) => event.index)).toEqual([0, 1]);
    expect([calls(east), calls(eu)]).toEqual([1, 1]);
  });

  it("need a region each when their ids name none, refused with the entry", () => {
    const bare = "us.amazon.nova-pro-v1:0";
    expect(() =>
      createBedrock({
        models: {
          nova: {
            deployments: [
              { model: `bedrock/converse/${bare}`, region: "us-east-1" },
              { model: `bedrock/converse/eu.${bare.slice(3)}` },
            ],
          },
        },
      }),
    ).toThrow(/^models\["nova"\]: eu\.amazon\.nova-pro-v1:0 names no region/);
  });
});

describe("cool-downs", () => {
  it("are shared by the clients that share a store, and kept apart otherwise", async () => {
    const failing = llama(EAST, "throttle");
    const warm = llama(WEST);
    const models = { m: pair(failing, warm) };
    const emulator = createEmulator();
    const store = memoryCooldownStore();
    const client = (shared: boolean) =>
      createBedrock({
        endpoint: "http://bedrock.emulator",
        credentials: EMULATOR_CREDENTIALS,
        fetch: (input, init) => emulator.fetch(new Request(input, init)),
        models,
        ...(shared ? { cooldownStore: store } : {}),
      });
    await client(true).chat.completions.create({ model: "m", messages: hello });
    await client(true).chat.completions.create({ model: "m", messages: hello });
    expect(emulator.stats.calls(failing)).toBe(1);
    await client(false).chat.completions.create({ model: "m", messages: hello });
    expect(emulator.stats.calls(failing)).toBe(2);
  });

  it("last cooldownMs, after which the copy is tried again", async () => {
    // Only Date is faked: the clock stands still unless moved, so a slow machine cannot outlast
    // the cool-down between two calls, while the emulator's own timers still run.
    const start = Date.parse("2026-01-01T00:00:00Z");
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    try {
      const failing = llama(EAST, "throttle1");
      const { bedrock, calls } = setup({ m: pair(failing, llama(WEST)) }, { cooldownMs: 10_000 });
      await bedrock.chat.completions.create({ model: "m", messages: hello });
      expect(calls(failing)).toBe(1);
      vi.setSystemTime(start + 9_999);
      await bedrock.chat.completions.create({ model: "m", messages: hello });
      expect(calls(failing)).toBe(1);
      vi.setSystemTime(start + 10_000);
      await bedrock.chat.completions.create({ model: "m", messages: hello });
      expect(calls(failing)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a model of one deployment", () => {
  it("is served without the router: one event, the transport's full patience, no cool-down kept", async () => {
    const untouched = () => Promise.reject(new Error("the cool-down store of a model of one deployment"));
    const store = { cooling: untouched, coolDown: untouched, recover: untouched };
    const throttledOnce = llama(EAST, "throttle1");
    const { bedrock, calls } = setup(
      { m: { deployments: [{ model: `bedrock/llama/${throttledOnce}` }], routing: "least_busy" } },
      { cooldownStore: store },
    );
    const events: DeploymentEvent[] = [];
    const plain = await bedrock.chat.completions.create(
      { model: "m", messages: hello },
      { onDeployment: (event) => events.push(event) },
    );
    // Retried on its only copy rather than failed fast.
    expect(plain.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
    expect(calls(throttledOnce)).toBe(2);
    const stream = await bedrock.chat.completions.create(
      { model: `bedrock/llama/${llama(WEST)}`, messages: hello, stream: true },
      { onDeployment: (event) => events.push(event) },
    );
    expect(await text(stream)).toContain("Hello from the Bedrock emulator (llama)");
    expect(events).toEqual([
      { index: 0, tried: 1 },
      { index: 0, tried: 1 },
    ]);
  });
});

describe("a request's body, built once for all the copies it tries (review perreq43 #4)", () => {
  const REGIONS = [EAST, WEST, "eu-west-1", "ap-south-1"];

  /** Copies of one model on `route`, each call's body kept as sent. */
  function copiesOf(route: "llama" | "openai", ids: string[]) {
    const emulator = createEmulator();
    const bodies: Array<{ url: string; body: string }> = [];
    const bedrock = createBedrock({
      endpoint: "http://bedrock.emulator",
      credentials: EMULATOR_CREDENTIALS,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        bodies.push({ url: decodeURIComponent(request.url), body: await request.clone().text() });
        return emulator.fetch(request);
      },
      maxRetries: 0,
      models: { m: { deployments: ids.map((id) => ({ model: `bedrock/${route}/${id}` })) } },
    });
    const sentTo = (id: string) => bodies.filter(({ url }) => url.includes(id)).map(({ body }) => body);
    return { bedrock, sentTo };
  }

  it("on a template route: every copy throttling, the template renders once", async () => {
    const ids = REGIONS.map((region) => llama(region, "throttle"));
    const { bedrock, sentTo } = copiesOf("llama", ids);
    const build = vi.spyOn(llamaRoute, "buildBody");
    try {
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: "m", messages: hello }),
        BedrockEdgeError,
      );
      expect(error.status).toBe(429);
      expect(ids.map((id) => sentTo(id).length)).toEqual([1, 1, 1, 1]);
      expect(build).toHaveBeenCalledTimes(1);
      // Every copy got the same body.
      expect(new Set(ids.flatMap(sentTo)).size).toBe(1);
    } finally {
      build.mockRestore();
    }
  });

  it("on the openai route: built once, each copy's body naming its own model id", async () => {
    const ids = REGIONS.map((region, i) => emulatorModelId("openai", i < 3 ? ["throttle"] : [], region));
    const { bedrock, sentTo } = copiesOf("openai", ids);
    const build = vi.spyOn(openaiRoute, "buildBody");
    try {
      const answer = await bedrock.chat.completions.create({
        model: "m",
        messages: hello,
        max_tokens: 16,
        temperature: 0.5,
      });
      expect(answer.choices[0]!.message.content).toBeTruthy();
      expect(ids.map((id) => sentTo(id).length)).toEqual([1, 1, 1, 1]);
      expect(build).toHaveBeenCalledTimes(1);
      const bodies = ids.map((id) => JSON.parse(sentTo(id)[0]!));
      expect(bodies.map((body) => body.model)).toEqual(ids);
      for (const body of bodies) expect(body).toMatchObject({ max_tokens: 16, temperature: 0.5, messages: hello });
    } finally {
      build.mockRestore();
    }
  });
});

describe("a request refused while its body is built (observe5 #2)", () => {
  // The route checks a request as it writes Bedrock's body, once a deployment is chosen: a refusal
  // there sent nothing, and names no deployment (the proxy's x-bedrock-edge-deployment, its log).
  const single = { m: { deployments: [{ model: `bedrock/llama/${llama(EAST)}` }] } };
  const both = { m: pair(llama(EAST), llama(WEST)) };
  for (const [models, name] of [
    [single, "a model of one deployment"],
    [both, "a model of several"],
  ] as const) {
    it(`reached no deployment: chat and Responses, on ${name}`, async () => {
      const { bedrock, calls } = setup(models);
      const events: DeploymentEvent[] = [];
      const onDeployment = (event: DeploymentEvent) => events.push(event);
      const chat = await errorOf(
        () => bedrock.chat.completions.create({ model: "m", messages: hello, n: 2 }, { onDeployment }),
        BedrockEdgeError,
      );
      expect(chat).toMatchObject({ status: 400, param: "n" });
      const streamed = await errorOf(
        () => bedrock.chat.completions.create({ model: "m", messages: hello, n: 2, stream: true }, { onDeployment }),
        BedrockEdgeError,
      );
      expect(streamed).toMatchObject({ status: 400, param: "n" });
      const answer = await errorOf(
        () =>
          bedrock.responses.create({ model: "m", input: "Hi", chat_template_kwargs: { nope: 1 } }, { onDeployment }),
        BedrockEdgeError,
      );
      expect(answer).toMatchObject({ status: 400, param: "chat_template_kwargs.nope" });
      expect(events).toEqual([]);
      expect([calls(llama(EAST)), calls(llama(WEST))]).toEqual([0, 0]);
      // The same request, valid, is told as before.
      await bedrock.chat.completions.create({ model: "m", messages: hello }, { onDeployment });
      expect(events).toEqual([{ index: 0, tried: 1 }]);
    });

    it(`reached no deployment: legacy completions, on ${name}`, async () => {
      const { bedrock, calls } = setup(models);
      const events: DeploymentEvent[] = [];
      const onDeployment = (event: DeploymentEvent) => events.push(event);
      const error = await errorOf(
        () => bedrock.completions.create({ model: "m", prompt: "Hi", best_of: 2, stream: true }, { onDeployment }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, param: "best_of" });
      expect(events).toEqual([]);
      expect([calls(llama(EAST)), calls(llama(WEST))]).toEqual([0, 0]);
      await bedrock.completions.create({ model: "m", prompt: "Hi", max_tokens: 4 }, { onDeployment });
      expect(events).toEqual([{ index: 0, tried: 1 }]);
    });
  }
});

describe("a deployment's own credentials", () => {
  it("sign its calls: an API key for one copy, the client's SigV4 credentials for the other", async () => {
    const { bedrock, authorizations } = setup({
      m: {
        deployments: [
          { model: `bedrock/llama/${llama(EAST, "throttle")}` },
          { model: `bedrock/llama/${llama(WEST)}`, apiKey: EMULATOR_API_KEY },
        ],
      },
    });
    await bedrock.chat.completions.create({ model: "m", messages: hello });
    expect(authorizations).toEqual(["AWS4-HMAC-SHA256", "Bearer"]);
  });

  it("make another copy of the same model id: its own cool-down, keyed by a digest of them, never by them", async () => {
    // One model id (an inference profile, say) called from two accounts: here, the client's
    // credentials and an API key. The first call throttles: only that copy cools down.
    const shared = llama(EAST, "throttle1");
    const store = memoryCooldownStore();
    const asked: string[][] = [];
    const { bedrock, authorizations, calls } = setup(
      {
        m: {
          deployments: [
            { model: `bedrock/llama/${shared}` },
            { model: `bedrock/llama/${shared}`, apiKey: EMULATOR_API_KEY },
          ],
        },
      },
      {
        cooldownStore: {
          ...store,
          cooling(name, keys) {
            asked.push([...keys]);
            return store.cooling(name, keys);
          },
        },
      },
    );
    await bedrock.chat.completions.create({ model: "m", messages: hello });
    await bedrock.chat.completions.create({ model: "m", messages: hello });
    // The second request goes to the copy that did not throttle, first.
    expect(authorizations).toEqual(["AWS4-HMAC-SHA256", "Bearer", "Bearer"]);
    expect(calls(shared)).toBe(3);
    const [plain, own] = asked[0]!;
    expect(plain).toBe(shared);
    expect(own?.slice(0, shared.length)).toBe(shared);
    expect(own?.slice(shared.length)).toMatch(/^#key-[0-9a-f]{12}$/);
    expect(JSON.stringify(asked)).not.toContain(EMULATOR_API_KEY);
  });

  it("that are wrong fail that copy's call with its own 401, not moved elsewhere", async () => {
    const { bedrock, calls } = setup({
      m: {
        deployments: [
          {
            model: `bedrock/llama/${llama(EAST)}`,
            credentials: { accessKeyId: "AKIAWRONGWRONGWRONG1", secretAccessKey: "x" },
          },
          { model: `bedrock/llama/${llama(WEST)}` },
        ],
      },
    });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: "m", messages: hello }),
      BedrockEdgeError,
    );
    expect(error.status).toBe(401);
    expect(calls(llama(WEST))).toBe(0);
  });
});

describe("routing", () => {
  it("weighted: each copy's share follows its weight", async () => {
    const light = llama(EAST);
    const heavy = llama(WEST);
    const { bedrock, calls } = setup({
      m: {
        deployments: [
          { model: `bedrock/llama/${light}`, weight: 1 },
          { model: `bedrock/llama/${heavy}`, weight: 3 },
        ],
        routing: "weighted",
      },
    });
    const requests = 400;
    for (let i = 0; i < requests; i++) await bedrock.chat.completions.create({ model: "m", messages: hello });
    // Binomial(400, 0.75): mean 300, standard deviation 8.7; these bounds are 5 deviations out.
    expect(calls(heavy)).toBeGreaterThan(256);
    expect(calls(heavy)).toBeLessThan(344);
    expect(calls(light) + calls(heavy)).toBe(requests);
  });

  it("weighted: a weight is at most 1,000,000, so that the largest share each still splits evenly (numbers43 #4)", async () => {
    const [east, west] = [llama(EAST), llama(WEST)];
    const at = (weight: number) => ({
      m: {
        deployments: [
          { model: `bedrock/llama/${east}`, weight },
          { model: `bedrock/llama/${west}`, weight },
        ],
        routing: "weighted" as const,
      },
    });
    // Two weights of 1e308 summed to Infinity, and every request went to the last copy.
    for (const weight of [1e308, 1_000_001]) {
      expect(() => setup(at(weight))).toThrow(
        `models["m"].deployments[0].weight: deployments[0].weight must be a number greater than 0, at most 1000000 (got ${weight}).`,
      );
    }
    const { bedrock, calls } = setup(at(1_000_000));
    const requests = 200;
    for (let i = 0; i < requests; i++) await bedrock.chat.completions.create({ model: "m", messages: hello });
    // Binomial(200, 0.5): mean 100, standard deviation 7.1; these bounds are 5 deviations out.
    expect(calls(east)).toBeGreaterThan(64);
    expect(calls(east)).toBeLessThan(136);
    expect(calls(east) + calls(west)).toBe(requests);
  });

  it("least_busy: the copy with the fewest requests in flight, counted until a stream ends", async () => {
    const first = llama(EAST, "slow30");
    const second = llama(WEST, "slow30");
    const { bedrock, calls } = setup({ m: pair(first, second, { routing: "least_busy" }) });
    const open = await bedrock.chat.completions.create({ model: "m", messages: hello, stream: true });
    expect(calls(first)).toBe(1);
    // The first copy has a stream in flight: the next request goes to the second.
    const busy = await bedrock.chat.completions.create({ model: "m", messages: hello, stream: true });
    expect(calls(second)).toBe(1);
    await text(open);
    // Both were busy; the first is free again.
    await text(await bedrock.chat.completions.create({ model: "m", messages: hello, stream: true }));
    expect(calls(first)).toBe(2);
    busy.abort();
    // Idle copies: ties go to the one listed first.
    await bedrock.chat.completions.create({ model: "m", messages: hello });
    expect([calls(first), calls(second)]).toEqual([3, 1]);
  });

  it("least_busy: a stream ended by the request's signal, and never read again, is in flight no more (aborts5)", async () => {
    const first = llama(EAST, "slow30");
    const second = llama(WEST, "slow30");
    const { bedrock, calls, emulator } = setup({ m: pair(first, second, { routing: "least_busy" }) });
    for (const open of [
      (signal: AbortSignal) =>
        bedrock.chat.completions.create({ model: "m", messages: hello, stream: true }, { signal }),
      (signal: AbortSignal) => bedrock.responses.create({ model: "m", input: "Hi", stream: true }, { signal }),
      (signal: AbortSignal) => bedrock.completions.create({ model: "m", prompt: "Hi", stream: true }, { signal }),
    ]) {
      const controller = new AbortController();
      await open(controller.signal);
      controller.abort();
      await vi.waitFor(() => expect(emulator.stats.activeStreams).toBe(0));
    }
    expect([calls(first), calls(second)]).toEqual([3, 0]);
    // Had they stayed counted, the second copy would serve these.
    for (let i = 0; i < 2; i++) await bedrock.chat.completions.create({ model: "m", messages: hello });
    expect([calls(first), calls(second)]).toEqual([5, 0]);
  });

  it("failover: always the first copy while it serves", async () => {
    const { bedrock, calls } = setup({ m: pair(llama(EAST), llama(WEST)) });
    for (let i = 0; i < 5; i++) await bedrock.chat.completions.create({ model: "m", messages: hello });
    expect([calls(llama(EAST)), calls(llama(WEST))]).toEqual([5, 0]);
  });
});
