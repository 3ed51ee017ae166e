import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../lib/errors.ts";

/**
 * The admin API's one body parser: JSON only. Fastify's defaults answer a `text/plain` body with a
 * schema error ("body: must be object") and a `__proto__` key with "not valid JSON"; here the
 * first is 415, the second a validation error naming the key, and an empty body with a DELETE
 * (which some clients send with `Content-Type: application/json`) is no body at all.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/**
 * Keys that reach an object's prototype when a body is merged carelessly: `__proto__`, and a
 * `constructor` object with a `prototype` (the two secure-json-parse refuses, which Fastify uses).
 * Returns the dotted path of the first one, walking without recursion (bodies may nest deeply).
 */
export const prototypeKeyPath = (body: unknown): string | undefined => {
  const pending: { value: unknown; path: string }[] = [{ value: body, path: "" }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (!isObject(value)) continue;
    for (const key of Object.keys(value)) {
      const child = value[key];
      const childPath = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
      if (key === "__proto__") return childPath;
      if (key === "constructor" && isObject(child) && Object.hasOwn(child, "prototype")) {
        return `${childPath}.prototype`;
      }
      pending.push({ value: child, path: childPath });
    }
  }
  return undefined;
};

const parseJsonBody = (method: string, text: string): unknown => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") {
    if (method === "DELETE") return undefined;
    throw new AppError("REQ_MALFORMED_JSON", { message: "The request body is empty; send a JSON document." });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    // JSON.parse's message quotes the body, which may hold a password: keep it out of the answer.
    throw new AppError("REQ_MALFORMED_JSON", { cause });
  }
  const path = prototypeKeyPath(parsed);
  if (path !== undefined) {
    const message = "this key is refused: it could change the prototype of objects on the server";
    throw new AppError("REQ_VALIDATION", {
      message: `${path}: ${message}`,
      details: [{ field: path, message }],
    });
  }
  return parsed;
};

/**
 * For a route whose body's fields are all optional: no body at all (`curl -X POST`) means `{}`.
 * The OpenAPI document marks such a body not required (app.ts finds the routes by this hook).
 */
export const optionalBody = async (request: FastifyRequest): Promise<void> => {
  request.body ??= {};
};

/** Replaces Fastify's JSON and text parsers on the admin app. */
export const registerJsonBody = (app: FastifyInstance): void => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, text, done) => {
    try {
      done(null, parseJsonBody(request.method, String(text)));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
};
