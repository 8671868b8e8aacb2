// The one way the tests capture an error: what `run` throws, or what its promise rejects with.
// A run that succeeds fails the test. Given a class, the error must be an instance of it and
// comes back typed.
import { expect } from "vitest";
import { BedrockEdgeError } from "../../src/errors.ts";

type ErrorClass<E> = abstract new (...args: never[]) => E;

function expectedAnError(): Error {
  return new Error("expected an error, but the call succeeded");
}

function checked<E>(error: unknown, type: ErrorClass<E> | undefined): E {
  if (type) expect(error).toBeInstanceOf(type);
  return error as E;
}

export function errorOf<E = unknown>(run: () => PromiseLike<unknown>, type?: ErrorClass<E>): Promise<E>;
export function errorOf<E = unknown>(run: () => unknown, type?: ErrorClass<E>): E;
export function errorOf<E>(run: () => unknown, type?: ErrorClass<E>): E | Promise<E> {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return checked(error, type);
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      () => {
        throw expectedAnError();
      },
      (error: unknown) => checked(error, type),
    );
  }
  throw expectedAnError();
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** What `run` throws, which must be a 400: a request refused before anything is sent. */
export function badRequestOf(run: () => unknown): BedrockEdgeError {
  const error = errorOf(run, BedrockEdgeError);
  expect(error.status).toBe(400);
  return error;
}
