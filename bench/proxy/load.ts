// Timed HTTP calls from Node (undici's fetch) over loopback, the same way for every path: the
// emulator called directly with a SigV4-signed request, a proxy called as its clients call it.
// Requests are prepared (and signed) before the clock starts, so a direct call is the bare round
// trip and everything a proxy does, its own signing included, counts as what it adds.
import { signedRequest } from "../../emulator/testing.ts";
import { llamaPrompt } from "../peers/aws-sdk.ts";
import { benchLlama, PROXY_KEY, PROXY_MODELS } from "./proxy-settings.ts";

/** A model name the benchmark's proxies serve. */
type ProxyModel = keyof typeof PROXY_MODELS;

export interface Timing {
  /** Until the first body bytes. */
  ttfbMs: number;
  /** Until the body's end. */
  totalMs: number;
}

export const PROMPT_TEXT = "Say hello to the benchmark.";

/** The prompt our llama route sends to InvokeModel for the same chat message. */
const LLAMA_PROMPT = llamaPrompt(PROMPT_TEXT);

/**
 * InvokeModel (or its stream) signed for the emulator at `base` for the emulator model behind one
 * of the proxy's model names, sent to `to` (default: `base` itself).
 */
export function directInvoke(base: string, stream: boolean, model: ProxyModel = "llama", to = base): Promise<Request> {
  // The model string is bedrock/<route>/<model id>.
  const modelId = PROXY_MODELS[model].split("/").slice(2).join("/");
  return retarget(signedRequest(base, modelId, { prompt: LLAMA_PROMPT }, { stream }), base, to);
}

/** Converse (or ConverseStream) for the same message, signed for the emulator: what Portkey and the AI SDK call. */
export function directConverse(base: string, stream: boolean): Promise<Request> {
  return signedRequest(
    base,
    benchLlama(),
    { messages: [{ role: "user", content: [{ text: PROMPT_TEXT }] }] },
    { operation: stream ? "converse-stream" : "converse" },
  );
}

/** A signed request sent elsewhere (a pass-through proxy): its headers still say the signed host. */
async function retarget(request: Promise<Request>, base: string, to: string): Promise<Request> {
  const signed = await request;
  if (to === base) return signed;
  return new Request(`${to}${signed.url.slice(base.length)}`, {
    method: signed.method,
    headers: signed.headers,
    body: await signed.text(),
  });
}

/** A chat completion request to our proxy, as the openai SDK sends it. */
export function proxyRequest(base: string, stream: boolean, model: ProxyModel = "llama", key = PROXY_KEY): Request {
  return new Request(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: PROMPT_TEXT }], stream }),
  });
}

async function drain(
  response: Response,
  started: number,
  onBytes?: (bytes: Uint8Array, at: number) => void,
): Promise<Timing> {
  if (!response.ok || !response.body)
    throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const reader = response.body.getReader();
  let first: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    const now = performance.now();
    if (done) return { ttfbMs: (first ?? now) - started, totalMs: now - started };
    first ??= now;
    onBytes?.(value, now - started);
  }
}

async function timed(request: Request, onBytes?: (bytes: Uint8Array, at: number) => void): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(request);
  return drain(response, started, onBytes);
}

/** Runs the prepared requests with `concurrency` in flight at once; timings in request order. */
export async function runLoad(requests: readonly Request[], concurrency: number): Promise<Timing[]> {
  const timings: Timing[] = new Array<Timing>(requests.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) timings[i] = await timed(requests[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return timings;
}

/**
 * When the first piece of model text arrives (ms from the request): for an event stream, the
 * first frame; for SSE, the first chunk with non-empty `content` (the role chunk before it
 * carries none). A buffering proxy would deliver it only at the end of the stream.
 */
export async function firstTextArrival(
  kind: "event-stream" | "sse",
  request: Request,
): Promise<{ firstMs: number; totalMs: number }> {
  const decoder = new TextDecoder();
  let text = "";
  let firstMs: number | undefined;
  const timing = await timed(request, (bytes, at) => {
    if (firstMs !== undefined) return;
    if (kind === "event-stream") {
      firstMs = at;
      return;
    }
    text += decoder.decode(bytes, { stream: true });
    if (/"content":"[^"]/.test(text)) firstMs = at;
  });
  if (firstMs === undefined) throw new Error(`${kind}: no model text arrived`);
  return { firstMs, totalMs: timing.totalMs };
}

/** The SSE events (`data:` lines) of a streamed answer, read to its end; `[DONE]` counts too. */
export async function sseEvents(request: Request): Promise<number> {
  const decoder = new TextDecoder();
  let events = 0;
  // A line may be split across reads: keep what follows the last newline for the next one.
  let partial = "";
  await timed(request, (bytes) => {
    const lines = (partial + decoder.decode(bytes, { stream: true })).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("data:")) events++;
  });
  return events;
}
