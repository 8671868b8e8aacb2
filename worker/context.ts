// The hono environment every middleware and endpoint shares: the bindings, and what the
// middleware chain has established about the request so far.
import type { Context } from "hono";
import type { ProxyBindings } from "./config.ts";
import type { ClientKey } from "./keys.ts";
import type { RequestLog } from "./log.ts";
import type { ProxyState, Ready } from "./state.ts";

export interface AppEnv {
  Bindings: ProxyBindings;
  Variables: {
    state: ProxyState;
    log: RequestLog;
    /** Aborts when the client is known to have gone: every upstream call takes it. */
    clientGone: AbortSignal;
    /** Set by requireKey: the client key the request presented. */
    key: ClientKey;
    /** Set by requireReady: the working configuration and client. */
    ready: Ready;
    /** Set by jsonBody: the request's JSON object, its model a name in MODELS. */
    body: JsonRequest;
  };
}

/** A request body as jsonBody hands it on: a JSON object whose `model` names a configured model. */
export type JsonRequest = Record<string, unknown> & { model: string };

export type AppContext = Context<AppEnv>;
