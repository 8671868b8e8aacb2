// Timed HTTP calls from Node (undici's fetch) over loopback, the same way for both paths: the
// emulator called directly with a SigV4-signed request, and the proxy called with an API key.
// Requests are prepared (and signed) before the clock starts, so "direct" is the bare round trip
// and everything the proxy does, its own signing included, counts as proxy overhead.
import { emulatorModelId } from "../../emulator/model-id.ts";
import { signedRequest } from "../../emulator/testing.ts";
import { GATEWAY_KEY, PROXY_KEY } from "./workerd.ts";

/** The emulator called directly, the plain proxy, or the proxy with routing and every limit. */
export type Path = "direct" | "proxy" | "gateway";

export interface Timing {
  /** Until the first body bytes. */
  ttfbMs: number;
  /** Until the body's end. */
  totalMs: number;
}

const PROMPT_TEXT = "Say hello to the benchmark.";

/** Builds one request for `path`; `stream` picks invoke-with-response-stream / SSE. */
export async function prepare(
  path: Path,
  base: string,
  stream: boolean,
  model: "llama" | "llama-slow" = "llama",
): Promise<Request> {
  if (path === "direct") {
    const modelId = emulatorModelId("llama", model === "llama-slow" ? ["slow50"] : []);
    // The body the llama route sends for the same chat message.
    const prompt = `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${PROMPT_TEXT}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`;
    return signedRequest(base, modelId, { prompt }, { stream });
  }
  return new Request(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${path === "gateway" ? GATEWAY_KEY : PROXY_KEY}`,
      "content-type": "application/json",
    },
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
 * When the first piece of model text arrives (ms from the request): for the event stream, the
 * first frame; through the proxy, the first SSE chunk with non-empty `content` (the role chunk
 * before it carries none). A buffering proxy would deliver it only at the end of the stream.
 */
export async function firstTextArrival(path: Path, request: Request): Promise<{ firstMs: number; totalMs: number }> {
  const decoder = new TextDecoder();
  let text = "";
  let firstMs: number | undefined;
  const timing = await timed(request, (bytes, at) => {
    if (firstMs !== undefined) return;
    if (path === "direct") {
      firstMs = at;
      return;
    }
    text += decoder.decode(bytes, { stream: true });
    if (/"content":"[^"]/.test(text)) firstMs = at;
  });
  if (firstMs === undefined) throw new Error(`${path}: no model text arrived`);
  return { firstMs, totalMs: timing.totalMs };
}
