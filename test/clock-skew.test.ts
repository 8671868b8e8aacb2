// A caller whose clock is more than five minutes off Bedrock's: the emulator refuses its
// signatures in AWS's words and dates its answers on its own clock, as Bedrock does, and the
// library learns that clock from the refusal (src/aws/clock.ts).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { BedrockEdgeError, createBedrock, type BedrockOptions } from "../src/index.ts";
import { errorOf } from "./helpers/errors.ts";

const MINUTE = 60_000;
const MESSAGES = [{ role: "user" as const, content: "Hi" }];
let hosts = 0;

/**
 * A client and an emulator whose clock is `offsetMs` from this machine's (movable by `clock.offsetMs`),
 * on a host of its own: what one test's client learns stays with that host.
 */
function skewed(offsetMs: number, options: Partial<BedrockOptions> = {}, hideDate = false) {
  const clock = { offsetMs };
  const emulator = createEmulator({ now: () => Date.now() + clock.offsetMs });
  const endpoint = `http://skew-${++hosts}.emulator`;
  const bedrock = createBedrock({
    endpoint,
    credentials: EMULATOR_CREDENTIALS,
    fetch: async (input, init) => {
      const response = await emulator.fetch(new Request(input, init));
      // A page on another origin reads no Date header Bedrock does not expose.
      if (hideDate) response.headers.delete("date");
      return response;
    },
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options,
  });
  const statuses = () => emulator.stats.requests.map((request) => request.status);
  return { bedrock, emulator, clock, statuses };
}

const llama = `bedrock/llama/${emulatorModelId("llama")}`;

describe("a caller's clock off Bedrock's", () => {
  it("the emulator dates every answer on its own clock, as Bedrock does", async () => {
    const emulator = createEmulator();
    let date: string | null = null;
    let asked = 0;
    let answered = 0;
    const probe = createBedrock({
      endpoint: "http://skew-probe.emulator",
      credentials: EMULATOR_CREDENTIALS,
      fetch: async (input, init) => {
        asked = Date.now();
        const response = await emulator.fetch(new Request(input, init));
        answered = Date.now();
        date = response.headers.get("date");
        return response;
      },
    });
    await probe.chat.completions.create({ model: llama, messages: MESSAGES });
    // Between the call and its answer, whatever the call took on a loaded machine; the header
    // has whole seconds, so the call's own second counts.
    const dated = Date.parse(date ?? "");
    expect(dated).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);
    expect(dated).toBeLessThanOrEqual(answered);
  });

  for (const [how, offset, refusal] of [
    ["10 minutes slow", 10 * MINUTE, /^Signature expired/],
    ["an hour fast", -60 * MINUTE, /^Signature not yet current/],
  ] as const) {
    it(`${how}: the first call is refused for its time, signed again on Bedrock's, and answers; later calls are signed right at once`, async () => {
      const { bedrock, emulator, statuses } = skewed(offset);
      const first = await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
      expect(first.choices[0]?.message.content).toContain("Hello from the Bedrock emulator");
      expect(statuses()).toEqual([403, 200]);
      const stream = await bedrock.chat.completions.create({ model: llama, messages: MESSAGES, stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toContain("Hello from the Bedrock emulator");
      expect(statuses()).toEqual([403, 200, 200]);
      expect(emulator.stats.completedStreams).toBe(1);
      // What the refusal said, for a client with retries off (below).
      const { bedrock: noRetries } = skewed(offset, { maxRetries: 0 });
      const error = await errorOf(
        () => noRetries.chat.completions.create({ model: llama, messages: MESSAGES }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({
        status: 401,
        code: "invalid_aws_signature",
        bedrockError: "InvalidSignatureException",
      });
      expect(error.message).toMatch(refusal);
    });
  }

  it("calls sent together on the wrong clock are each refused, then each signed again and answered (codereview11)", async () => {
    const { bedrock, statuses } = skewed(10 * MINUTE);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => bedrock.chat.completions.create({ model: llama, messages: MESSAGES })),
    );
    expect(answers).toHaveLength(5);
    expect(statuses().filter((status) => status === 403)).toHaveLength(5);
    expect(statuses().filter((status) => status === 200)).toHaveLength(5);
  });

  it("a clock just past five minutes off, which a Date header's whole seconds may measure as under, is set right too", async () => {
    // Ahead of us by 300.3 s to 301 s: always refused (the signing date's whole seconds only make
    // it earlier), and the Date header (whole seconds too) measures as little as 299.3 s of it.
    // Behind: the time between signing and the emulator's check brings a slow Bedrock nearer, so
    // 301 s behind was answered once the signing date's fraction and a loaded machine's delay
    // passed a second (CI, 2026-12-02). 305 s behind is refused unless that delay passes 4 s.
    for (const offset of [300_300, 300_600, 300_900, 301_000, -305_000]) {
      const { bedrock, statuses } = skewed(offset);
      for (let call = 0; call < 3; call++) await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
      expect(statuses()).toEqual([403, 200, 200, 200]);
    }
  });

  it("with retries off, the refused call fails, and the next is signed on Bedrock's time", async () => {
    const { bedrock, statuses } = skewed(-20 * MINUTE, { maxRetries: 0 });
    await expect(bedrock.chat.completions.create({ model: llama, messages: MESSAGES })).rejects.toMatchObject({
      code: "invalid_aws_signature",
    });
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    expect(statuses()).toEqual([403, 200]);
  });

  it("without a Date header (a browser on another origin), the time Bedrock's message names serves", async () => {
    const { bedrock, statuses } = skewed(15 * MINUTE, {}, true);
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    expect(statuses()).toEqual([403, 200, 200]);
  });

  it("a clock that comes right again is learnt again", async () => {
    const { bedrock, clock, statuses } = skewed(30 * MINUTE);
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    clock.offsetMs = 0;
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    expect(statuses()).toEqual([403, 200, 403, 200, 200]);
  });

  it("a model of several deployments: the refused call is signed again on the same deployment, and is not cooled down", async () => {
    const first = emulatorModelId("llama", [], "us-east-1", "111111111111");
    const second = emulatorModelId("llama", [], "us-east-1", "222222222222");
    const { bedrock, emulator, statuses } = skewed(10 * MINUTE, {
      models: { m: { deployments: [{ model: `bedrock/llama/${first}` }, { model: `bedrock/llama/${second}` }] } },
    });
    // The first deployment, tried failing fast while the second remains, is tried again itself;
    // had it been cooled down, the second call would have gone to the second.
    for (let call = 0; call < 2; call++) await bedrock.chat.completions.create({ model: "m", messages: MESSAGES });
    expect(statuses()).toEqual([403, 200, 200]);
    expect([emulator.stats.calls(first), emulator.stats.calls(second)]).toEqual([2, 0]);
  });

  it("what one endpoint's answer taught moves no call to another endpoint", async () => {
    const slow = skewed(10 * MINUTE);
    await slow.bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    const right = skewed(0);
    await right.bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    expect(slow.statuses()).toEqual([403, 200]);
    expect(right.statuses()).toEqual([200]);
  });

  it("a signature refused for another reason, with the clock right, is not tried again", async () => {
    const { bedrock, statuses } = skewed(0, {
      credentials: { ...EMULATOR_CREDENTIALS, secretAccessKey: `${EMULATOR_CREDENTIALS.secretAccessKey}x` },
    });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: llama, messages: MESSAGES }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 401, code: "invalid_aws_signature" });
    expect(error.message).not.toMatch(/expired|not yet current/);
    expect(statuses()).toEqual([403]);
  });

  it("a clock years off is learnt as one minutes off is: a device's clock may be that wrong", async () => {
    const { bedrock, statuses } = skewed(-3 * 365 * 24 * 60 * MINUTE);
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
    expect(statuses()).toEqual([403, 200, 200]);
  });

  describe("an answer that names an absurd time cannot make later calls fail (timebounds17 #2)", () => {
    /** A client whose first call Bedrock refuses for its time, naming `date`; the rest go to the emulator. */
    function refusedOnceAt(date: string | undefined, message: string) {
      const emulator = createEmulator();
      const sent: string[] = [];
      const bedrock = createBedrock({
        endpoint: `http://skew-${++hosts}.emulator`,
        credentials: EMULATOR_CREDENTIALS,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          sent.push(request.headers.get("x-amz-date") ?? "");
          if (sent.length > 1) return emulator.fetch(request);
          return new Response(JSON.stringify({ message }), {
            status: 403,
            headers: {
              "content-type": "application/json",
              "x-amzn-errortype":
                "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
              ...(date === undefined ? {} : { date }),
            },
          });
        },
      });
      const statuses = () => emulator.stats.requests.map((request) => request.status);
      return { bedrock, sent, statuses };
    }
    const signedAt = (amzDate: string) =>
      Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));

    const cases: Array<[string, { date?: string; message: string }]> = [
      ["a Date in year 10000", { date: "Sat, 01 Jan 10000 00:00:00 GMT", message: "Signature expired." }],
      [
        "a Date in 9999's last hour, a second from no x-amz-date (codereview27 #5)",
        { date: "Fri, 31 Dec 9999 23:00:00 GMT", message: "Signature expired." },
      ],
      ["a Date on Date's last day", { date: "Sat, 13 Sep 275760 00:00:00 GMT", message: "Signature expired." }],
    ];
    for (const [what, { date, message }] of cases) {
      it(`${what}: the refused call fails with Bedrock's error, the next ones are signed on our clock and answered`, async () => {
        const { bedrock, sent, statuses } = refusedOnceAt(date, message);
        await expect(bedrock.chat.completions.create({ model: llama, messages: MESSAGES })).rejects.toMatchObject({
          status: 401,
          code: "invalid_aws_signature",
        });
        for (let call = 0; call < 2; call++)
          await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
        expect(statuses()).toEqual([200, 200]);
        expect(sent).toHaveLength(3);
        for (const amzDate of sent) expect(Math.abs(signedAt(amzDate) - Date.now())).toBeLessThan(60_000);
      });
    }

    it("a Date far off but signable (year 9000) is learnt, and the next call's refusal sets it right", async () => {
      const { bedrock, sent, statuses } = refusedOnceAt(
        new Date(Date.UTC(9000, 11, 31, 23)).toUTCString(),
        "Signature expired.",
      );
      // Signed again on the time learnt, which the emulator refuses for its time, saying its own:
      // signed again on that, the call is answered.
      await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
      await bedrock.chat.completions.create({ model: llama, messages: MESSAGES });
      // The first on our clock (within a minute: a year compared would fail across New Year).
      expect(Math.abs(signedAt(sent[0]!) - Date.now())).toBeLessThan(60_000);
      expect(sent[1]!.slice(0, 4)).toBe("9000");
      expect(statuses()).toEqual([403, 200, 200]);
      expect(Math.abs(signedAt(sent.at(-1)!) - Date.now())).toBeLessThan(60_000);
    });
  });
});
