// An object as JSON writes one, for a valibot schema: its object() and record() take an array too.
import * as v from "valibot";
import { isJsonObject, type JsonObject } from "../json.ts";

export const plainObject = v.custom<JsonObject>(isJsonObject, "must be an object");
