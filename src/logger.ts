import pino, { type Logger } from "pino";
import type { LogLevel } from "./config/schema.ts";

/**
 * Paths that are never logged: credentials, tokens, SAML messages and assertions. Censored by
 * path, so a new field with a secret needs a line here (and the logging test shows it).
 */
export const redactedPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.password",
  "*.adminPassword",
  "*.privateKey",
  "*.privateKeyPem",
  "*.clientSecret",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.SAMLResponse",
  "*.SAMLRequest",
  "*.assertion",
  "*.fileData",
  "*.masterKey",
] as const;

export const createLogger = (level: LogLevel, destination?: pino.DestinationStream): Logger =>
  pino(
    {
      level,
      redact: { paths: [...redactedPaths], censor: "[redacted]" },
      base: { service: "portico" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
