// One attempt at a Bedrock call: authorise, send, and hand back the answer once it has begun,
// with the abort signal and timer that belong to this attempt. An error answer becomes its
// error here, redacted with this attempt's own credentials.
import {
  badUpstream,
  BedrockEdgeError,
  configurationError,
  nameOf,
  shownText,
  spanText,
  upstreamTimeout,
} from "../errors.ts";
import { lazy } from "../lazy.ts";
import { readLimitedText } from "../read-text.ts";
import { type Auth, resolveAuth, secretsOf } from "./credentials.ts";
import { authorise } from "./sign.ts";
import type { Transport } from "./transport-options.ts";
import { untilAborted } from "./until-aborted.ts";

/** Where a call goes and how, resolved once for all its attempts. */
export interface Target {
  url: string;
  region: string;
  /** The unsigned headers of the operation. */
  headers: Record<string, string>;
  stream: boolean;
}

export interface Attempt {
  response: Response;
  /** Aborted by the caller, a timeout, or abort(). */
  signal: AbortSignal;
  /** The values of this attempt's credentials: nothing made from its answer may quote them. */
  secrets: readonly string[];
  /** Ends the attempt's timer and its link to the caller's signal. */
  release(): void;
  /** Why reading the answer failed: a timeout, the caller's abort, or a lost connection. */
  failure(error: unknown): unknown;
  abort(reason: unknown): void;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
// The mapping of Bedrock's error answers loads with the first of them: most callers never see one.
const bedrockErrors = lazy(() => import("../bedrock-errors.ts"));
const EVENT_STREAM = "application/vnd.amazon.eventstream";

// A caller may pass one signal that outlives many calls (a server's shutdown, to every call). It
// gets one listener, whatever the calls in flight (a listener each set off Node's
// MaxListenersExceededWarning at the eleventh), which holds each call's controller weakly: a
// stream the caller dropped unread (neither read to its end nor aborted, either of which releases
// it) is not kept, with all that its call holds, for as long as that signal lives (soak47).
const linked = new WeakMap<AbortSignal, Set<WeakRef<AbortController>>>();
const unlinkOnCollect =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<() => void>((unlink) => unlink()) : undefined;

/** Aborts `controller` with `signal`, holding it weakly; the returned function ends the link. */
function linkWeakly(signal: AbortSignal, controller: AbortController): () => void {
  let held = linked.get(signal);
  if (!held) {
    const calls = new Set<WeakRef<AbortController>>();
    signal.addEventListener(
      "abort",
      () => {
        for (const call of calls) call.deref()?.abort(signal.reason);
        calls.clear();
      },
      { once: true },
    );
    linked.set(signal, calls);
    held = calls;
  }
  const calls = held;
  const call = new WeakRef(controller);
  calls.add(call);
  unlinkOnCollect?.register(controller, () => calls.delete(call), call);
  return () => {
    calls.delete(call);
    unlinkOnCollect?.unregister(call);
  };
}

export async function attempt(
  transport: Transport,
  target: Target,
  body: string,
  userSignal: AbortSignal | undefined,
): Promise<Attempt> {
  // sendWithRetries has just checked the signal: one already aborted never gets here.
  const controller = new AbortController();
  const unlink = userSignal ? linkWeakly(userSignal, controller) : undefined;
  // The timer runs from here, so timeoutMs bounds getting the credentials and signing too; its
  // message says when it was the credentials that never came. The error is made when the timer
  // fires: an Error with its stack costs more than the request's signing.
  let awaitingCredentials = false;
  const timer = setTimeout(() => {
    const span = spanText(transport.timeoutMs);
    controller.abort(
      upstreamTimeout(
        awaitingCredentials
          ? `The credentials were still pending after ${span} (timeoutMs): Bedrock was not called.`
          : `Bedrock did not answer within ${span} (timeoutMs).`,
      ),
    );
  }, transport.timeoutMs);
  // Clearing a timer that has fired or was cleared does nothing: release may come twice.
  const stopTimer = () => clearTimeout(timer);
  const release = () => {
    stopTimer();
    unlink?.();
  };

  let auth: Auth;
  let headers: Record<string, string>;
  try {
    const resolved = resolveAuth(transport.auth);
    if (resolved instanceof Promise) {
      // Only a provider is waited for, and it may never answer: the abort and the timer end the wait.
      awaitingCredentials = true;
      auth = await untilAborted(resolved, controller.signal);
      awaitingCredentials = false;
    } else {
      auth = resolved;
    }
    headers = await authorise(
      { url: target.url, body, headers: target.headers },
      auth,
      target.region,
      transport.signingKeys,
      transport.signingCrypto,
    );
    // Signing is local work, not raced: an abort or a timeout during it is seen as soon as it ends.
    controller.signal.throwIfAborted();
  } catch (error) {
    release();
    if (controller.signal.aborted) throw controller.signal.reason;
    // A signingCrypto of the caller's, or a runtime without WebCrypto: the deployment's fault,
    // named but never quoted (a hash function's message may hold the key it was given).
    throw error instanceof BedrockEdgeError
      ? error
      : configurationError("The request could not be signed.", "signing_failed", nameOf(error));
  }
  const secrets = secretsOf(auth);

  let response: Response;
  let sent: Promise<Response> | undefined;
  try {
    // Bedrock never redirects: a redirect followed would send the prompt, and a session token
    // with it, wherever the endpoint points, and take that host's answer as Bedrock's.
    sent = transport.fetch(target.url, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
      redirect: "manual",
    });
    response = await untilAborted(sent, controller.signal);
  } catch (error) {
    release();
    if (controller.signal.aborted) {
      // A fetch that ignores its signal answers anyway, later: nobody reads that answer, so its
      // body is cancelled rather than left open.
      sent?.then((late) => late?.body?.cancel()).catch(() => undefined);
      throw controller.signal.reason;
    }
    throw (await bedrockErrors()).unreachable(new URL(target.url).host, error, secrets);
  }
  // A fetch of the caller's may resolve to anything; what has no headers is no Response.
  if (typeof response?.headers?.get !== "function") {
    release();
    throw configurationError("The fetch option resolved to something that is not a Response.", "invalid_fetch");
  }

  if (!response.ok) {
    // An error body past 64 KiB is not one Bedrock writes: its exception name still says what happened.
    // Raced with the attempt's signal: a fetch of the caller's may give a body that never ends.
    // Past timeoutMs its status and headers (a ThrottlingException's, say) still tell the error.
    const text = await untilAborted(readLimitedText(response.body, MAX_ERROR_BODY_BYTES), controller.signal).catch(
      () => "",
    );
    release();
    if (userSignal?.aborted) throw userSignal.reason;
    throw (await bedrockErrors()).errorFromResponse(response, text ?? "", secrets, new URL(target.url).host);
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (target.stream && !contentType.startsWith(EVENT_STREAM)) {
    await response.body?.cancel().catch(() => undefined);
    release();
    // Upstream text, as an error answer's: redacted with the call's secrets, then cut between words.
    const quoted = shownText((await bedrockErrors()).redactSecrets(contentType, secrets), 80);
    throw badUpstream(`Bedrock answered a stream request with content-type ${quoted}, not an event stream.`);
  }
  // A stream's answer has begun: from here only the idle timeout applies.
  if (target.stream) stopTimer();

  return {
    response,
    signal: controller.signal,
    secrets,
    release,
    failure(error) {
      if (controller.signal.aborted) return controller.signal.reason;
      if (error instanceof BedrockEdgeError) return error;
      return badUpstream(
        "The connection to Bedrock was lost while reading its answer.",
        "upstream_connection_lost",
        nameOf(error),
      );
    },
    abort(reason) {
      controller.abort(reason);
    },
  };
}
