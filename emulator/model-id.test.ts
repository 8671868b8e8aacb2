import { describe, expect, it } from "vitest";
import { converseModelId, parseConverseModelId } from "./converse-model-id.ts";
import {
  emulatorModelId,
  faultForCall,
  fitsOperation,
  type ModelIdOption,
  type Operation,
  parseModelId,
} from "./model-id.ts";

const OPERATIONS: readonly Operation[] = ["invoke", "invoke-with-response-stream", "converse", "converse-stream"];

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/";

describe("parseModelId", () => {
  it("reads the format and the ARN fields", () => {
    const spec = parseModelId(`${ARN}r1`);
    expect(spec).toMatchObject({
      format: "r1",
      region: "us-east-1",
      account: "123456789012",
      partition: "aws",
      echo: false,
      callFaults: [],
    });
    for (const format of ["llama", "qwen3", "qwen2", "openai"])
      expect(parseModelId(`${ARN}${format}`)?.format).toBe(format);
  });

  it("reads every flag", () => {
    const spec = parseModelId(
      `${ARN}openai.echo.tool.length.nousage.think.eos.ctx.legacy.stopseq.guardrail.filtered.cache`,
    );
    expect(spec).toMatchObject({
      echo: true,
      tool: true,
      length: true,
      nousage: true,
      think: true,
      eos: true,
      ctx: true,
      legacy: true,
      stopseq: true,
      guardrail: true,
      filtered: true,
      cache: true,
    });
    expect(parseModelId(`${ARN}llama`)).toMatchObject({ legacy: false, stopseq: false, cache: false });
  });

  it("reads call faults with and without counts, in order", () => {
    expect(parseModelId(`${ARN}llama.notready2.throttle1.err500.err5033`)?.callFaults).toEqual([
      { kind: "notready", calls: 2 },
      { kind: "throttle", calls: 1 },
      { kind: "err500", calls: Infinity },
      { kind: "err503", calls: 3 },
    ]);
  });

  it("reads the model's timeout and failure, a quota and a stream that fails at once, and where AWS lists each (awsfidelity46 #5)", () => {
    const spec = parseModelId(`${ARN}llama.modeltimeout1.modelerror2.quota.streamerror3`);
    expect(spec?.callFaults).toEqual([
      { kind: "modeltimeout", calls: 1 },
      { kind: "modelerror", calls: 2 },
      { kind: "quota", calls: Infinity },
      { kind: "streamerror", calls: 3 },
    ]);
    const fits = (options: string, operation: Operation) =>
      fitsOperation(parseModelId(`${ARN}llama.${options}`)!, operation);
    for (const operation of OPERATIONS) {
      expect(fits("modeltimeout.modelerror", operation)).toBe(true);
      expect(fits("quota", operation)).toBe(operation.startsWith("invoke"));
      expect(fits("streamerror", operation)).toBe(operation === "invoke-with-response-stream");
      // ConverseStreamOutput has no modelTimeoutException; a plain operation sends no stream exception.
      expect(fits("midstream-modelTimeoutException", operation)).toBe(operation !== "converse-stream");
    }
  });

  it("reads stream faults and pacing", () => {
    const spec = parseModelId(
      `${ARN}qwen3.midstream-throttlingException3.drop5.badcrc2.slow40.wait250.long1000.words3`,
    );
    expect(spec).toMatchObject({
      midstream: { type: "throttlingException", afterFrames: 3 },
      dropAfterFrames: 5,
      badCrcFrame: 2,
      slowMs: 40,
      waitMs: 250,
      longPieces: 1000,
      wordsPerPiece: 3,
    });
    for (const type of [
      "throttlingException",
      "modelStreamErrorException",
      "modelTimeoutException",
      "internalServerException",
      "serviceUnavailableException",
      "validationException",
    ]) {
      expect(parseModelId(`${ARN}r1.midstream-${type}0`)?.midstream).toEqual({ type, afterFrames: 0 });
    }
    expect(parseModelId(`${ARN}r1.midstream-modelTimeoutException`)?.midstream).toEqual({
      type: "modelTimeoutException",
      afterFrames: 0,
    });
  });

  it("accepts other partitions and regions", () => {
    expect(parseModelId("arn:aws-cn:bedrock:cn-north-1:123456789012:imported-model/llama")?.region).toBe("cn-north-1");
    expect(parseModelId("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:imported-model/llama")?.partition).toBe(
      "aws-us-gov",
    );
    // Every partition the library sends to its own domain (codereview14 #3).
    for (const [partition, region] of [
      ["aws-eusc", "eusc-de-east-1"],
      ["aws-iso", "us-iso-east-1"],
      ["aws-iso-b", "us-isob-east-1"],
      ["aws-iso-e", "eu-isoe-west-1"],
      ["aws-iso-f", "us-isof-south-1"],
    ]) {
      const arn = `arn:${partition}:bedrock:${region}:123456789012:imported-model/llama`;
      expect(parseModelId(arn), arn).toMatchObject({ partition, region, format: "llama" });
    }
  });

  it.each([
    ["not an ARN", "llama"],
    ["unknown format", `${ARN}mistral`],
    ["unknown option", `${ARN}llama.fast`],
    ["duplicate option", `${ARN}llama.echo.echo`],
    ["duplicate fault kind", `${ARN}llama.throttle1.throttle2`],
    ["zero count", `${ARN}llama.throttle0`],
    ["missing number", `${ARN}llama.drop`],
    ["badcrc0", `${ARN}llama.badcrc0`],
    ["unknown exception", `${ARN}llama.midstream-accessDeniedException1`],
    ["bad region", "arn:aws:bedrock:US-EAST-1:123456789012:imported-model/llama"],
    ["short account", "arn:aws:bedrock:us-east-1:1234:imported-model/llama"],
    ["foundation model", "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0"],
    ["empty option", `${ARN}llama..echo`],
    ["trailing junk", `${ARN}llama/x`],
  ])("rejects %s", (_, id) => {
    expect(parseModelId(id)).toBeUndefined();
  });

  it("round-trips ids built by emulatorModelId", () => {
    const id = emulatorModelId("qwen2", ["echo", "slow5"], "eu-west-1", "000000000000");
    expect(id).toBe("arn:aws:bedrock:eu-west-1:000000000000:imported-model/qwen2.echo.slow5");
    expect(parseModelId(id)).toMatchObject({ format: "qwen2", echo: true, slowMs: 5, region: "eu-west-1" });
  });
});

describe("the options of emulatorModelId and converseModelId", () => {
  it("are typed: each kind the parser reads compiles and parses, a misspelt one fails to compile", () => {
    const options: ModelIdOption[] = [
      "think",
      "throttle",
      "notready2",
      "err500",
      "err503",
      "midstream-throttlingException",
      "midstream-validationException3",
      "drop4",
      "badcrc1",
      "slow5",
      "wait10",
      "long3",
      "words2",
    ];
    for (const option of options) {
      expect(parseModelId(emulatorModelId("llama", [option])), option).toBeDefined();
      expect(parseConverseModelId(converseModelId("us.amazon.nova-pro-v1:0", [option])), option).toBeDefined();
    }
    // @ts-expect-error a misspelt flag
    expect(parseModelId(emulatorModelId("llama", ["lenght"]))).toBeUndefined();
    // @ts-expect-error a misspelt flag
    expect(parseConverseModelId(converseModelId("us.amazon.nova-pro-v1:0", ["thnk"]))).toBeUndefined();
    // @ts-expect-error a stream exception Bedrock does not send
    expect(parseModelId(emulatorModelId("llama", ["midstream-accessDeniedException1"]))).toBeUndefined();
  });
});

describe("faultForCall", () => {
  it("consumes faults in order, then answers", () => {
    const faults = parseModelId(`${ARN}llama.notready2.throttle1`)?.callFaults ?? [];
    expect([0, 1, 2, 3, 4].map((call) => faultForCall(faults, call))).toEqual([
      "notready",
      "notready",
      "throttle",
      undefined,
      undefined,
    ]);
  });

  it("never stops for a fault without a count", () => {
    const faults = parseModelId(`${ARN}llama.throttle`)?.callFaults ?? [];
    expect(faultForCall(faults, 1_000_000)).toBe("throttle");
  });
});
