// A chat request made from another API's request (the Responses API: responses/to-chat.ts) may
// stand for fields that API does not have. Put in the chat request, a route would honour them
// with chat's meaning (`stop`, `seed`…), or refuse them in chat's words; so they ride beside it,
// under a symbol no JSON body can set, and the routes' parameter policy (routes/parameters.ts)
// refuses them in that API's words, or drops them under drop_params, as it does a chat request's
// unknown fields.

export const FOREIGN_FIELDS: unique symbol = Symbol("fields the caller's API does not have");

export interface ForeignFields {
  /** The caller's API, as a refusal names it: "Responses API". */
  api: string;
  /** The caller's fields that API does not have, in the request's order. */
  fields: readonly string[];
}

export interface CarriesForeignFields {
  [FOREIGN_FIELDS]?: ForeignFields;
}

/** The foreign fields a chat request carries, if it was made from another API's request. */
export function foreignFieldsOf(request: object): ForeignFields | undefined {
  return (request as CarriesForeignFields)[FOREIGN_FIELDS];
}
