import { createHash } from "node:crypto";

/**
 * Keys for the replay cache (the `ReplayCache` port; stored in the database so every node sees
 * every ID, peers reference §B.5 rule 7). IDs are unique per issuer (saml-core §1.3.4), so the key
 * is the pair. Hashed: a fixed 64-character key indexes well, and Salesforce's IDs are ~300
 * characters. The issuer is length-prefixed so no (issuer, id) pair can collide with another.
 */
export const replayKey = (issuer: string, id: string): string =>
  createHash("sha256").update(`${issuer.length}:${issuer}${id}`, "utf8").digest("hex");

/**
 * How long a key must be kept: past `issueInstant + skewMs` the message is refused as expired
 * anyway (checkIssueInstant), so remembering it longer buys nothing.
 */
export const replayExpiresAt = (issueInstant: Date, skewMs: number): Date =>
  new Date(issueInstant.getTime() + skewMs);
