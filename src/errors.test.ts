import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";
import { errorOf } from "../test/helpers/errors.ts";
import { bedrockException, errorFromResponse, exceptionName, redactSecrets } from "./bedrock-errors.ts";
import { checkClosedRequest } from "./closed-request.ts";
import { parseCompletionRequest } from "./completions/request.ts";
import { parseChatRequest } from "./core.ts";
import { describeValue } from "./describe-value.ts";
import {
  BedrockEdgeError,
  badUpstream,
  cutName,
  isBedrockEdgeError,
  modelNotFound,
  shownText,
  spanText,
  typeForStatus,
  upstreamTimeout,
  wordsWithin,
} from "./errors.ts";
import { parseResponsesRequest } from "./responses/request.ts";
import { refuseOrDrop } from "./routes/parameters.ts";
import { kwargsParam } from "./routes/template-variables.ts";

describe("Bedrock exceptions map to status, OpenAI type and code", () => {
  const table: Array<[string, number, string, string]> = [
    ["ValidationException", 400, "invalid_request_error", "invalid_request"],
    ["AccessDeniedException", 403, "permission_error", "access_denied"],
    ["UnrecognizedClientException", 401, "authentication_error", "invalid_aws_credentials"],
    ["InvalidSignatureException", 401, "authentication_error", "invalid_aws_signature"],
    ["ResourceNotFoundException", 404, "not_found_error", "model_not_found"],
    ["ThrottlingException", 429, "rate_limit_error", "rate_limit_exceeded"],
    ["ModelNotReadyException", 429, "rate_limit_error", "model_not_ready"],
    ["ServiceQuotaExceededException", 429, "rate_limit_error", "quota_exceeded"],
    ["ModelTimeoutException", 408, "timeout_error", "model_timeout"],
    ["ModelErrorException", 424, "api_error", "model_error"],
    ["ServiceUnavailableException", 503, "server_error", "service_unavailable"],
    ["InternalServerException", 500, "server_error", "internal_server_error"],
  ];
  for (const [name, status, type, code] of table) {
    it(`${name} -> ${status} ${type}`, () => {
      // Bedrock's answer status is deliberately wrong here: the name decides.
      const error = bedrockException(`${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`, "msg", 418);
      expect(error).toBeInstanceOf(BedrockEdgeError);
      expect({ status: error.status, type: error.type, code: error.code, name: error.bedrockError }).toEqual({
        status,
        type,
        code,
        name,
      });
      expect(error.toJSON()).toEqual({ error: { message: "msg", type, param: null, code } });
    });
  }

  it("reads names in every shape Bedrock writes them", () => {
    expect(exceptionName("ThrottlingException:http://internal.amazon.com/coral/")).toBe("ThrottlingException");
    expect(exceptionName("com.amazon.coral.service#ThrottlingException")).toBe("ThrottlingException");
    expect(exceptionName("throttlingException")).toBe("ThrottlingException");
  });

  it("flags context-length validation errors", () => {
    const error = bedrockException(
      "ValidationException",
      "This model's maximum context length is 8192 tokens. Please reduce the length of the prompt.",
      400,
    );
    expect(error.code).toBe("context_length_exceeded");
    // Titan Text Embeddings' words (aws-samples/amazon-bedrock-workshop#136; awsfidelity46 #4).
    const titan = "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 9875 ";
    expect(bedrockException("ValidationException", titan, 400).code).toBe("context_length_exceeded");
    expect(bedrockException("ValidationException", "Malformed input request", 400).code).toBe("invalid_request");
  });

  it("keeps the HTTP status for unknown names, and a gateway status for nonsense", () => {
    expect(bedrockException("SomethingNewException", "x", 409).status).toBe(409);
    expect(bedrockException(undefined, "", 200).status).toBe(502);
    expect(bedrockException(undefined, "", 503).message).toBe("Bedrock answered 503");
  });

  it("types follow OpenAI's per status", () => {
    expect(typeForStatus(413)).toBe("invalid_request_error");
    expect(typeForStatus(504)).toBe("timeout_error");
    expect(typeForStatus(502)).toBe("server_error");
  });
});

describe("no secret survives into an error", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";

  it("cuts AWS's canonical-request echo and redacts what looks like a credential", () => {
    const aws =
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\n\n" +
      `The Canonical String for this request should have been\n'POST\n/model/x/invoke\n\nx-amz-security-token:${token}\n'\n\nThe String-to-Sign should have been 'AWS4-HMAC-SHA256 …'`;
    const clean = redactSecrets(aws, [secret, token]);
    expect(clean).toBe(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    );
  });

  it("redacts given secrets, access keys, signatures and bearer tokens", () => {
    const text = `key AKIAIOSFODNN7EXAMPLE secret ${secret} Signature=${"ab".repeat(32)} Bearer sk-abc123 token ${token}`;
    const clean = redactSecrets(text, [secret, token]);
    for (const leaked of ["AKIAIOSFODNN7EXAMPLE", secret, "ab".repeat(32), "sk-abc123", token])
      expect(clean).not.toContain(leaked);
  });

  it("redacts Bedrock API keys, long-term (ABSK…) and short-term (bedrock-api-key-…)", () => {
    const longTerm = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjp6eno=";
    const shortTerm = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg==";
    expect(redactSecrets(`the binding ${longTerm} is not set; nor ${shortTerm}.`)).toBe(
      "the binding [redacted] is not set; nor [redacted].",
    );
    // The words alone, and a short name that happens to begin so, are not keys.
    expect(redactSecrets("ABSK keys and bedrock-api-key- tokens; ABSK_WEST")).toBe(
      "ABSK keys and bedrock-api-key- tokens; ABSK_WEST",
    );
  });

  it("cuts a known secret of 4 characters or more (a short client key), and leaves a shorter value's words alone", () => {
    expect(redactSecrets("refused key sk-1 and dev-key", ["sk-1", "dev-key"])).toBe(
      "refused key [redacted] and [redacted]",
    );
    expect(redactSecrets("the abc of it", ["abc"])).toBe("the abc of it");
  });

  it("cuts a temporary (ASIA…) access key id by its shape, as a long-term one", () => {
    expect(redactSecrets("The key ASIAQWERTYUIOPASDFGH is not valid")).toBe("The key [redacted] is not valid");
  });

  it("cuts a bare SHA-256 hex digest, a signature quoted without Signature=", () => {
    const signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    expect(redactSecrets(`{"signature":"${signature}"}`)).toBe('{"signature":"[redacted]"}');
  });

  it("bedrockException applies it", () => {
    const error = bedrockException("UnrecognizedClientException", `bad key ${secret}`, 403, { secrets: [secret] });
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });

  it("redacts a secret percent-encoded, with upper- or lower-case escapes", () => {
    const encoded = encodeURIComponent(secret);
    const lower = encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
    expect(encoded).not.toBe(secret);
    expect(redactSecrets(`a ${encoded} b ${lower} c ${secret}`, [secret])).toBe(
      "a [redacted] b [redacted] c [redacted]",
    );
  });

  it("redacts a secret percent-encoded in part, in the decoded text; any other % is left alone (codereview28 #3)", () => {
    const aws = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET07";
    // Python's urllib.parse.quote keeps `/` and encodes `+`; a client may encode `/` alone.
    expect(redactSecrets("/v1/wJalrXUtnFEMI/K7MDENG%2BbPxRfiCYzzSECRET07?x=%zz", [aws])).toBe("/v1/[redacted]?x=%zz");
    expect(redactSecrets("/v1/%C3%A9/wJalrXUtnFEMI%2fK7MDENG+bPxRfiCYzzSECRET07%FF%C0%80", [aws])).toBe(
      "/v1/é/[redacted]%FF%C0%80",
    );
    // No secret in the decoded text: the text stays as it was, escapes and all.
    expect(redactSecrets("/v1/a%2Fb%20c%", [aws])).toBe("/v1/a%2Fb%20c%");
  });

  it("redacts a percent-encoded secret whose escapes run into one that is not UTF-8: each valid escape is decoded on its own (leftovers #3)", () => {
    const aws = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET0=";
    const whole = [...aws].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join("");
    // The secret's last escape (%3D), then %2F and %FF: one run, which is not UTF-8 as a whole.
    expect(redactSecrets("/v1/wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYzzSECRET0%3D%2F%FF", [aws])).toBe("/v1/[redacted]/%FF");
    // Every character escaped, between escapes that are not UTF-8 (a stray continuation, a lead
    // byte with no continuation, an overlong form); a valid é among them is decoded too.
    expect(redactSecrets(`/v1/%80%C3%A9${whole}%E2%2F%C0%AF`, [aws])).toBe("/v1/%80é[redacted]%E2/%C0%AF");
    expect(redactSecrets(`/v1/%ff${whole.toLowerCase()}`, [aws])).toBe("/v1/%ff[redacted]");
    // No secret in the decoded text: the text stays as it was, escapes and all.
    expect(redactSecrets("/v1/a%2F%FFb%E2%82%AC", [aws])).toBe("/v1/a%2F%FFb%E2%82%AC");
  });

  it("bounds the message length", () => {
    expect(redactSecrets("x".repeat(5000)).length).toBeLessThanOrEqual(1001);
  });

  // secrets46 #6: what an error text quoting a JSON document of the request shows.
  it("redacts a secret JSON-escaped (\\/ as PHP and Java write it, \\u002f, \\u002b, \\u003d)", () => {
    const aws = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET0=";
    const slashed = aws.replaceAll("/", "\\/");
    const unicode = aws.replace(/[/+=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    for (const escaped of [
      slashed,
      unicode,
      aws.replace(/[/+=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`),
    ]) {
      expect(escaped).not.toBe(aws);
      const out = redactSecrets(`The model returned the following errors: {"request": "${escaped}"}`, [aws]);
      expect(out).toBe('The model returned the following errors: {"request": "[redacted]"}');
    }
    // A session token as PHP writes it, its run of `/` each escaped.
    const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    expect(redactSecrets(`errors: {"token":"${token.replaceAll("/", "\\/")}"}`, [token])).toBe(
      'errors: {"token":"[redacted]"}',
    );
    // A document quoted in a JSON string: escaped twice.
    const twice = JSON.stringify(JSON.stringify({ secret: slashed }));
    expect(twice).toContain("\\\\/");
    expect(redactSecrets(`errors: ${twice}`, [aws])).not.toContain("bPxRfiCYzzSECRET0");
    // No secret in the unescaped text: the text stays as it was, escapes and all.
    expect(redactSecrets('{"a": "b\\/c\\u002f\\n"}', [aws])).toBe('{"a": "b\\/c\\u002f\\n"}');
  });

  it("redacts an unknown session token in a JSON dump of the headers, its quotes escaped or not", () => {
    const token = "IQoKb3JpZ2luX2VjUNKNOWNTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    const dump = JSON.stringify({ "x-amz-security-token": token, host: "bedrock" });
    expect(redactSecrets(`headers: ${dump}`)).toBe('headers: {"x-amz-security-token":"[redacted]","host":"bedrock"}');
    expect(redactSecrets(`errors: ${JSON.stringify({ request: dump })}`)).not.toContain("IQoK");
    expect(redactSecrets("{'X-Amz-Security-Token': 'IQoKabc/def'}")).toBe("{'X-Amz-Security-Token': '[redacted]'}");
  });

  // codereview46 #10: the value ate the backslash of `\"`, and a list of values was not looked in.
  it("redacts a token header's value up to an escaped closing quote, and in a list of values", () => {
    const token = "IQoKb3JpZ2luX2VjUNKNOWNTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    const escaped = JSON.stringify(JSON.stringify({ "x-amz-security-token": token, host: "h" }));
    expect(redactSecrets(escaped)).toBe('"{\\"x-amz-security-token\\":\\"[redacted]\\",\\"host\\":\\"h\\"}"');
    // Escaped twice (a dump in a JSON string in a JSON string), and PHP's `\/` inside the token.
    const twice = JSON.stringify(escaped).replaceAll("/", "\\/");
    expect(redactSecrets(twice)).not.toContain("IQoK");
    expect(redactSecrets(twice)).toContain('\\\\\\"[redacted]\\\\\\"');
    expect(redactSecrets(`{"x-amz-security-token": ["${token}"], "host": ["h"]}`)).toBe(
      '{"x-amz-security-token": ["[redacted]"], "host": ["h"]}',
    );
    expect(redactSecrets(`{"x-amz-security-token":[ '${token}' ]}`)).toBe(`{"x-amz-security-token":[ '[redacted]' ]}`);
  });

  // codereview46 #9: Python's quote() (`%2B`) inside a PHP encoder's `\/`, and the other way round.
  it("redacts a secret both percent-encoded and JSON-escaped", () => {
    const aws = "emulatorSessionSecret/EXAMPLE+bPxRfiCYK0";
    expect(redactSecrets("url: emulatorSessionSecret\\/EXAMPLE%2BbPxRfiCYK0 end", [aws])).toBe("url: [redacted] end");
    expect(redactSecrets('{"u": "emulatorSessionSecret\\/EXAMPLE%2BbPxRfiCYK0"}', [aws])).toBe('{"u": "[redacted]"}');
    // JSON-escaped first, then percent-encoded (a URL holding a JSON document): codereview46c #3.
    expect(redactSecrets("url: emulatorSessionSecret%5C%2FEXAMPLE%2BbPxRfiCYK0 end", [aws])).toBe(
      "url: [redacted] end",
    );
    expect(redactSecrets("q=emulatorSessionSecret%5C/EXAMPLE+bPxRfiCYK0", [aws])).toBe("q=[redacted]");
  });

  // codereview46 #7: the 1000-character cap fell between an emoji's halves.
  it("caps the message between characters, never inside one", () => {
    const out = redactSecrets(`${"x".repeat(999)}😀 more`);
    expect(out).toBe(`${"x".repeat(999)}…`);
    expect(out.isWellFormed()).toBe(true);
    expect(redactSecrets(`${"x".repeat(998)}😀 more`)).toBe(`${"x".repeat(998)}😀…`);
  });

  // codereview46 #8: only the first 64 KiB is redacted and kept.
  it("redacts only a message's first 64 KiB, and drops the last word there, which a secret across it may be", () => {
    const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    const head = 64 * 1024 - 20;
    // The passes shorten a long signature to 20 characters: the token's head, across the bound, is
    // then within the 1000 kept unless it is dropped.
    const message = `Signature=${"a".repeat(head - 11)} ${token} tail`;
    expect(message.indexOf(token)).toBe(head);
    const out = redactSecrets(message, [token]);
    expect(out).toBe("Signature=[redacted]…");
    expect(out).not.toContain(token.slice(0, 8));
    // Below the bound, the whole message is redacted: the token found whole.
    expect(redactSecrets(`Signature=abc ${token} tail`, [token])).toBe("Signature=[redacted] [redacted] tail");
    // What follows the bound changes nothing, however long.
    const start = "word ".repeat(13_000);
    expect(redactSecrets(`${start}${"\\".repeat(16 << 20)}`, [token])).toBe(
      redactSecrets(`${start}${"\\".repeat(1 << 17)}`, [token]),
    );
  });

  it("costs a message's first 64 KiB, not its size: 16 MiB of backslashes", async () => {
    const huge = "\\".repeat(16 << 20);
    let out = "";
    const cpuMs = await cpuMsOf(() => {
      out = redactSecrets(huge, ["wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET0="]);
    });
    // The unbounded passes took about 10 s over 16 MiB; the bounded ones about 100 ms of CPU (the
    // string's flattening included). Timed in CPU, not on the wall clock: at a load of 28 on
    // 2 cores, 100 ms of work takes over a second of waiting for a core.
    expect(cpuMs).toBeLessThan(1000);
    // Its end far past what is kept, no secret's head can reach the first 1000 characters: they are
    // shown (codereview46c #4: the whole message was dropped as one word).
    expect(out).toBe(`${"\\".repeat(1000)}…`);
  });

  it("drops the bound's last word when a known secret written its longest way could reach what is kept (codereview46d #1)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const token = Array.from({ length: 1000 }, (_, i) => alphabet[(i * 7) % 64]).join("");
    // JSON-escaped twice as \\u00XX, its backslashes percent-encoded: 11 characters a character.
    const encoded = [...token].map((c) => `%5C%5Cu00${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
    expect(redactSecrets(`x ${encoded} y`, [token])).toBe("x [redacted] y");
    const message = `Signature=${"a".repeat(64 * 1024 - 9900 - 11)} ${encoded} tail`;
    const out = redactSecrets(message, [token]);
    expect(out).toBe("Signature=[redacted]…");
  });

  it("finds a known secret holding a %XX of its own, JSON-escaped (codereview46d #2)", () => {
    const key = "sk-team/%41bc-0123456789abcdef";
    expect(redactSecrets('{"auth": "sk-team\\/%41bc-0123456789abcdef"}', [key])).toBe('{"auth": "[redacted]"}');
  });

  it("shows the first 1000 characters of a message over 64 KiB of one word, as of a shorter one (codereview46c #4)", () => {
    const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    const word = `x${"y".repeat(100_000)}`;
    expect(redactSecrets(word, [token])).toBe(`${word.slice(0, 1000)}…`);
    expect(redactSecrets(word.slice(0, 5000), [token])).toBe(`${word.slice(0, 1000)}…`);
  });

  it("stays linear on text built to make its patterns backtrack", async () => {
    const hostile = [
      "\\".repeat(200_000),
      "\\u00".repeat(100_000),
      `${'x-amz-security-token\\"'.repeat(20_000)}`,
      `${'x-amz-security-token\\" :  '.repeat(20_000)}`,
    ];
    // In CPU time, which a loaded machine does not stretch as it does the wall clock's.
    for (const text of hostile) {
      const cpuMs = await cpuMsOf(() => redactSecrets(text, ["wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET0="]));
      expect(cpuMs, text.slice(0, 30)).toBeLessThan(500);
    }
  });
});

describe("errorFromResponse: Bedrock's error answers", () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
    new Response(body, { status, headers: { "content-type": "application/json", ...headers } });

  it("takes the exception name from x-amzn-ErrorType, else the body's __type or code", () => {
    const fromHeader = answer(429, '{"message":"Too many requests"}', {
      "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
    });
    expect(errorFromResponse(fromHeader, '{"message":"Too many requests"}')).toMatchObject({
      status: 429,
      bedrockError: "ThrottlingException",
      message: "Too many requests",
    });
    const body = '{"__type":"com.amazon.bedrock#ResourceNotFoundException","Message":"No such model"}';
    expect(errorFromResponse(answer(404, body), body)).toMatchObject({
      status: 404,
      bedrockError: "ResourceNotFoundException",
      message: "No such model",
    });
    const coded = '{"code":"ModelNotReadyException","message":"Model is not ready for inference."}';
    expect(errorFromResponse(answer(429, coded), coded).code).toBe("model_not_ready");
  });

  it("keeps a text body's words but not an HTML page's, and reads retry-after", () => {
    expect(errorFromResponse(answer(503, " busy \n", { "content-type": "text/plain" }), " busy \n").message).toBe(
      "busy",
    );
    const page = "<html><body>502 Bad Gateway</body></html>";
    expect(errorFromResponse(answer(502, page, { "content-type": "text/html" }), page).message).toBe(
      "Bedrock answered 502",
    );
    expect(errorFromResponse(answer(429, "{}", { "retry-after": "3" }), "{}").retryAfterMs).toBe(3000);
  });

  it("quotes the model's own status and words (originalStatusCode, originalMessage, resourceName), redacted as the rest (awsfidelity46 #2)", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const failed = JSON.stringify({
      message: "Received error from model.",
      originalStatusCode: 500,
      resourceName: "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
    });
    const modelError = errorFromResponse(answer(424, failed, { "x-amzn-errortype": "ModelErrorException" }), failed);
    expect(modelError).toMatchObject({ status: 424, code: "model_error", bedrockError: "ModelErrorException" });
    expect(modelError.message).toBe(
      "Received error from model. The model answered 500. Resource: arn:aws:bedrock:us-east-1:123456789012:imported-model/abc.",
    );
    const streamed = JSON.stringify({
      message: "Received error from model while streaming.",
      originalStatusCode: 503,
      originalMessage: `upstream busy, key ${secret}`,
    });
    const streamError = errorFromResponse(
      answer(424, streamed, { "x-amzn-errortype": "ModelStreamErrorException" }),
      streamed,
      [secret],
    );
    expect(streamError).toMatchObject({ status: 424, code: "model_stream_error" });
    expect(streamError.message).toBe(
      "Received error from model while streaming. The model answered 503: upstream busy, key [redacted]",
    );
  });

  it("a model's own context-length words are a 400 context_length_exceeded, whichever exception carries them (awsfidelity46 #2)", () => {
    const body = JSON.stringify({
      message: "Received error from model while streaming.",
      originalStatusCode: 400,
      originalMessage: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
    });
    const error = errorFromResponse(answer(424, body, { "x-amzn-errortype": "ModelStreamErrorException" }), body);
    expect(error).toMatchObject({
      status: 400,
      code: "context_length_exceeded",
      bedrockError: "ModelStreamErrorException",
    });
    expect(error.message).toContain("The model answered 400: This model's maximum context length is 8192 tokens.");
    // Members of another type than AWS's model gives them are not read.
    const odd = JSON.stringify({ message: "x", originalStatusCode: "400", originalMessage: 7, resourceName: {} });
    expect(errorFromResponse(answer(424, odd, { "x-amzn-errortype": "ModelErrorException" }), odd).message).toBe("x");
  });

  it("redacts the call's secrets", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const body = `{"message":"bad key ${secret}"}`;
    expect(errorFromResponse(answer(403, body), body, [secret]).message).toBe("bad key [redacted]");
  });
});

describe("fromBedrock: set where the error is made", () => {
  it("true for Bedrock's own answers, false for the errors this library raises", () => {
    expect(bedrockException("ThrottlingException", "x", 429).fromBedrock).toBe(true);
    expect(errorFromResponse(new Response("{}", { status: 500 }), "{}").fromBedrock).toBe(true);
    expect(badUpstream("lost").fromBedrock).toBe(false);
    expect(upstreamTimeout("late").fromBedrock).toBe(false);
    expect(new BedrockEdgeError({ status: 400, message: "x" }).fromBedrock).toBe(false);
  });
});

describe("spanText", () => {
  it("says a span in milliseconds under a second, else in whole seconds", () => {
    expect(spanText(30)).toBe("30 ms");
    expect(spanText(999.6)).toBe("1 s");
    expect(spanText(1000)).toBe("1 s");
    expect(spanText(600_000)).toBe("600 s");
  });
});

describe("isBedrockEdgeError", () => {
  it("knows an error from another copy of bedrock-edge, by its brand, as instanceof cannot", async () => {
    // The same module loaded a second time under another URL: a copy with a class of its own, as
    // a dependency that brings its own bedrock-edge (or bundles it) has.
    const url = new URL("./errors.ts?another-copy", import.meta.url).href;
    const other = (await import(/* @vite-ignore */ url)) as typeof import("./errors.ts");
    expect(other.BedrockEdgeError).not.toBe(BedrockEdgeError);
    const theirs = other.badUpstream("Could not reach Bedrock.");
    expect(theirs instanceof BedrockEdgeError).toBe(false);
    expect(isBedrockEdgeError(theirs)).toBe(true);
    expect(other.isBedrockEdgeError(badUpstream("x"))).toBe(true);
    // instanceof still holds within one copy.
    expect(badUpstream("x")).toBeInstanceOf(BedrockEdgeError);
    expect(theirs).toBeInstanceOf(other.BedrockEdgeError);
  });

  it("reads the brand Symbol.for names, and nothing else: not the name, not the shape", () => {
    const branded = { [Symbol.for("bedrock-edge.error")]: true, status: 500 };
    expect(isBedrockEdgeError(branded)).toBe(true);
    const lookalike = Object.assign(new Error("x"), { name: "BedrockEdgeError", status: 500, toJSON: () => ({}) });
    for (const value of [lookalike, new Error("x"), null, undefined, "BedrockEdgeError", 5, {}]) {
      expect(isBedrockEdgeError(value), String(value)).toBe(false);
    }
    // The brand is not data: an error's JSON and its own keys are as before.
    // Reflect.ownKeys, not Object.keys: only it lists symbol keys.
    expect(Reflect.ownKeys(badUpstream("x"))).not.toContain(Symbol.for("bedrock-edge.error"));
    expect(JSON.stringify(badUpstream("x"))).toBe(JSON.stringify(badUpstream("x").toJSON()));
  });
});

describe("a value of unknown type in words", () => {
  it("quotes a short string, shows numbers, booleans and null, names anything else by its kind", () => {
    expect(describeValue("hot")).toBe('"hot"');
    // Cut between words only: a word past the cut is told by its length, never shown in part.
    expect(describeValue("x".repeat(100))).toBe("a string of 100 characters");
    expect(describeValue(`${"word ".repeat(7)}${"x".repeat(100)}`)).toBe(`"${"word ".repeat(7).trimEnd()}…"`);
    expect(describeValue(5)).toBe("5");
    expect(describeValue(false)).toBe("false");
    expect(describeValue(null)).toBe("null");
    expect(describeValue([1])).toBe("an array");
    expect(describeValue({ a: 1 })).toBe("an object");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(10n)).toBe("bigint");
  });

  it("never calls a value's own toString or valueOf, which JSON may make anything (fuzz2 #1)", () => {
    expect(describeValue(JSON.parse('{"toString":1,"valueOf":1}'))).toBe("an object");
    expect(describeValue(JSON.parse('[{"toString":1}]'))).toBe("an array");
    expect(describeValue(Object.create(null))).toBe("an object");
  });
});

// secrets46 #1: a cut through a key pasted where text is quoted left a head the Worker's redaction,
// which finds secrets whole, could not know. Text is cut between words only.
describe("text quoted in a message, cut between words", () => {
  it("keeps text within the limit as it is, and cuts longer text after its last whole word", () => {
    expect(wordsWithin("short", 40)).toBe("short");
    expect(wordsWithin("one two three", 9)).toBe("one two…");
    expect(wordsWithin("one two three", 7)).toBe("one two…");
    expect(wordsWithin("one two  three", 8)).toBe("one two…");
  });

  it("cuts at any whitespace, a tab or a line break as well as a space", () => {
    expect(wordsWithin("hello\tworld and more", 8)).toBe("hello…");
    expect(wordsWithin("hello\nworld and more", 8)).toBe("hello…");
    expect(shownText("first line\nsecond line of an upstream's text", 16)).toBe('"first line…"');
  });

  it("never shows part of a word: a first word past the limit shows nothing", () => {
    const key = `sk-${"0123456789abcdef".repeat(4)}`;
    expect(wordsWithin(key, 40)).toBeUndefined();
    expect(wordsWithin(` ${key}`, 40)).toBeUndefined();
    expect(wordsWithin(`  ${key}`, 40)).toBeUndefined();
    expect(shownText(`  ${key}`, 40)).toBe("a string of 69 characters");
    expect(wordsWithin(`bad ${key} here`, 40)).toBe("bad…");
    expect(shownText(key, 40)).toBe("a string of 67 characters");
    expect(shownText(key, 40, "a name", false)).toBe("a name of 67 characters");
    expect(shownText(`bad ${key}`, 40)).toBe('"bad…"');
    expect(shownText("auto", 40, "a name", false)).toBe("auto");
  });

  // codereview46 #11: a length in characters as a reader counts them, an emoji one.
  it("tells a length in code points", () => {
    expect(shownText("😀".repeat(30), 20)).toBe("a string of 30 characters");
  });

  // codereview46c #5: the limit is counted as the length is, so a text told "of N characters" is
  // never one that N plain letters would have been quoted at.
  it("counts the limit in code points too", () => {
    const name = `${"g".repeat(127)}😀`;
    expect(wordsWithin(name, 128)).toBe(name);
    expect(shownText(`${name}g`, 128, "a name")).toBe("a name of 129 characters");
    expect(modelNotFound("😀".repeat(101)).message).toContain(`"${"😀".repeat(101)}"`);
    expect(wordsWithin("😀".repeat(21), 20)).toBeUndefined();
    // The cut too (codereview47 #5): a first word of 60 emoji is within 64 characters.
    expect(wordsWithin(`${"😀".repeat(60)} and more words`, 64)).toBe(`${"😀".repeat(60)} and…`);
  });

  // codereview46 #3: modelNotFound cut the name at 200 characters, through a key.
  it("modelNotFound quotes a name whole or by its length, never cut", () => {
    const key = `sk-${"0123456789abcdef".repeat(13)}`;
    expect(modelNotFound(key).message).toBe(
      `The model name of ${key.length} characters is not in this client's models option, and onlyListedModels is set.`,
    );
    expect(modelNotFound("m", "is not served").message).toBe('The model "m" is not served.');
  });

  it("steps back at most the limit, whatever the text's length", async () => {
    const text = "x".repeat(5_000_000);
    // In CPU time, which a loaded machine does not stretch as it does the wall clock's.
    const cpuMs = await cpuMsOf(() => {
      for (let i = 0; i < 100; i++) expect(wordsWithin(text, 80)).toBeUndefined();
    });
    expect(cpuMs).toBeLessThan(1000);
  });
});

// left49 #2: a name the client sent, cut for an error's `param` in UTF-16 units, left half an
// emoji there (JSON's "\ud83d"), which strict JSON readers refuse: cut in code points, in one place.
describe("a client's name in an error's param, cut to code points", () => {
  // 63 letters, then an emoji whose halves a cut at 64 UTF-16 units falls between (and at 60, after 59).
  const at = (units: number) => `${"x".repeat(units - 1)}😀 and more`;
  const wellFormed = (param: string | null | undefined) =>
    /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/.test(param ?? "");

  it("cutName keeps at most the count of characters, an emoji one, and none of a lone half", () => {
    expect(cutName(at(64), 64)).toBe(`${"x".repeat(63)}😀`);
    expect(cutName("😀".repeat(70), 64)).toBe("😀".repeat(64));
    expect(cutName("short", 64)).toBe("short");
    // A half the client sent on its own (JSON's "\ud83d") is no character either.
    expect(cutName("a\ud83db", 64)).toBe("a\ufffdb");
  });

  it("cutName needs no String.prototype.toWellFormed (ES2024), which older browsers lack (codereview49 note 10)", () => {
    const own = Object.getOwnPropertyDescriptor(String.prototype, "toWellFormed");
    // As a browser without it: the 400's param was a TypeError there.
    delete (String.prototype as { toWellFormed?: unknown }).toWellFormed;
    try {
      expect(cutName("a\ud83db", 64)).toBe("a\ufffdb");
      // A low half alone, a high half cut from its low by nothing (at the end), a pair kept whole.
      expect(cutName("\ude00x\ud83d", 64)).toBe("\ufffdx\ufffd");
      expect(cutName(`${"x".repeat(63)}😀`, 64)).toBe(`${"x".repeat(63)}😀`);
      expect(cutName("ab😀cd", 3)).toBe("ab😀");
    } finally {
      if (own) Object.defineProperty(String.prototype, "toWellFormed", own);
    }
  });

  it("every param built from a client's name is well-formed: unknown fields, template variables, depth", () => {
    const deep = JSON.parse(`${"[".repeat(70)}${"]".repeat(70)}`) as unknown;
    const params = [
      errorOf(
        () => checkClosedRequest(v.looseObject({ model: v.string() }), { model: "m", [at(60)]: 1 }, "embeddings", {}),
        BedrockEdgeError,
      ).param,
      kwargsParam(at(64)),
      errorOf(() => refuseOrDrop([{ param: at(64), why: "is not a parameter" }], "openai", false), BedrockEdgeError)
        .param,
      errorOf(() => parseCompletionRequest({ model: "m", prompt: "p", [at(64)]: deep }), BedrockEdgeError).param,
      errorOf(() => parseResponsesRequest({ model: "m", input: "p", [at(64)]: deep }), BedrockEdgeError).param,
    ];
    expect(params.map((param) => ({ param, wellFormed: wellFormed(param) }))).toEqual(
      params.map((param) => ({ param, wellFormed: true })),
    );
    expect(params[0]).toBe(`${"x".repeat(59)}😀`);
    expect(params[1]).toBe(`chat_template_kwargs.${"x".repeat(63)}😀`);
    // A name past the cut is no longer whole in param, nor in the message (a 1 MB key echoed back).
    expect(params.slice(2)).toEqual([`${"x".repeat(63)}😀`, `${"x".repeat(63)}😀`, `${"x".repeat(63)}😀`]);
  });

  it("a record's key past 64 characters is told by its length in param and message, not echoed whole", () => {
    const messages = [{ role: "user", content: "hi" }];
    for (const field of ["metadata", "logit_bias"]) {
      const error = errorOf(
        () => parseChatRequest({ model: "m", messages, [field]: { ["k".repeat(100_000)]: 5 } }),
        BedrockEdgeError,
      );
      expect(error.param).toBe(`${field}.(a key of 100000 characters)`);
      expect(error.message.length).toBeLessThan(300);
    }
    const short = errorOf(
      () => parseChatRequest({ model: "m", messages, metadata: { ["😀".repeat(64)]: 5 } }),
      BedrockEdgeError,
    );
    expect(short.param).toBe(`metadata.${"😀".repeat(64)}`);
  });
});
