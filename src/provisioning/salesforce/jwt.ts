import { createPrivateKey, sign } from "node:crypto";
import { AppError } from "../../lib/errors.ts";

/**
 * The JWT bearer grant's assertion (salesforce-api.md §1.2b; RFC 7523): RS256 only, iss = the
 * consumer key, sub = the username, aud = the login URL, exp within three minutes.
 */

const lifetimeSeconds = 180;

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

export const signJwtAssertion = (options: {
  clientId: string;
  username: string;
  audience: string;
  privateKeyPem: string;
  now: Date;
}): string => {
  const key = createPrivateKey(options.privateKeyPem);
  if (key.asymmetricKeyType !== "rsa") {
    throw new AppError("PROV_TARGET_AUTH_JWT_SIGNATURE", {
      message: "Salesforce accepts only RS256 JWTs: JWT_SIGNING_CERTIFICATE must name an RSA key pair.",
    });
  }
  const claims = {
    iss: options.clientId,
    sub: options.username,
    aud: options.audience,
    exp: Math.floor(options.now.getTime() / 1000) + lifetimeSeconds,
  };
  const input = `${part({ alg: "RS256" })}.${part(claims)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key).toString("base64url")}`;
};
