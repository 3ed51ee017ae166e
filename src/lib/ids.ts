import { randomBytes } from "node:crypto";

/** Generates identifiers; injected so tests get stable ones. */
export type IdGenerator = {
  /** A random URL-safe identifier of at least 128 bits, e.g. for resources. */
  next(prefix?: string): string;
};

export const randomIds: IdGenerator = {
  next: (prefix = "") => prefix + randomBytes(16).toString("base64url").replace(/[-_]/g, "x"),
};

/** Deterministic ids for tests: `<prefix>1`, `<prefix>2`, … */
export const sequentialIds = (): IdGenerator => {
  let n = 0;
  return { next: (prefix = "id") => `${prefix}${++n}` };
};

/** PingFederate's id rule for connections and key pairs: `[a-zA-Z0-9._-]+`. */
export const resourceIdPattern = "^[a-zA-Z0-9._-]{1,64}$";
export const isResourceId = (text: string): boolean => new RegExp(resourceIdPattern).test(text);
