import pino, { type Logger, type LoggerOptions } from "pino";
import type { LogLevel } from "./config/schema.ts";

/**
 * Paths that are never logged: credentials, tokens, SAML messages and assertions. Censored by
 * path, so a new field with a secret needs a line here (and the logging tests show it).
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
  // OAuth's own spelling (RFC 6749), as Salesforce's token endpoint sends and takes them.
  "*.access_token",
  "*.refresh_token",
  "*.client_secret",
  "*.code_verifier",
  "*.SAMLResponse",
  "*.SAMLRequest",
  "*.assertion",
  "*.fileData",
  "*.masterKey",
] as const;

type RequestLike = { method?: string; url?: string; ip?: string; id?: string };

/**
 * Requests are logged by method and path only: a query may carry a SAML message, a RelayState
 * or a token, none of which belongs in a log.
 */
const requestSerializer = (req: RequestLike) => ({
  id: req.id,
  method: req.method,
  path: req.url?.split("?")[0],
  remoteAddress: req.ip,
});

export const loggerOptions = (level: LogLevel): LoggerOptions => ({
  level,
  redact: { paths: [...redactedPaths], censor: "[redacted]" },
  base: { service: "portico" },
  timestamp: pino.stdTimeFunctions.isoTime,
  serializers: { req: requestSerializer },
});

export const createLogger = (level: LogLevel, destination?: pino.DestinationStream): Logger =>
  pino(loggerOptions(level), destination);
