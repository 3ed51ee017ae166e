import { lookup } from "node:dns/promises";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { Client, ResultCodeError } from "ldapts";
import { AppError, type ErrorCode } from "../lib/errors.ts";
import { framed } from "./framing.ts";
import type { LdapConnectionSettings, LdapHost } from "./settings.ts";

/**
 * Opening one LDAP connection, stage by stage: DNS, TCP, TLS (LDAPS, or StartTLS on the plain
 * port), bind. A failure is an AppError whose code names the stage (LDAP_DNS … LDAP_BIND) and
 * whose message names the host and the reason: what `POST /dataStores/{id}/test` reports, and
 * what a channel or the sign-in form logs. Messages never carry the password.
 */

export type LdapStage = "DNS" | "TCP" | "TLS" | "BIND" | "SEARCH";

export const stageCodes: Readonly<Record<LdapStage, ErrorCode>> = {
  DNS: "LDAP_DNS",
  TCP: "LDAP_TCP",
  TLS: "LDAP_TLS",
  BIND: "LDAP_BIND",
  SEARCH: "LDAP_SEARCH",
};

export type LdapConnection = {
  readonly client: Client;
  readonly host: LdapHost;
  /** Lets an idle pooled connection stop holding the process open, and a borrowed one hold it again. */
  setIdle(idle: boolean): void;
};

/** An LDAP result in words: the server's message, or else the result's name (sizeLimitExceeded …). */
export const ldapResultText = (error: ResultCodeError): string => {
  const message = error.message.replace(/^\s*Code: 0x[0-9a-f]+\s*/i, "").trim();
  const name = error.constructor.name.replace(/Error$/, "");
  return `${message || `${name.charAt(0).toLowerCase()}${name.slice(1)}`} (LDAP result ${error.code})`;
};

const reasonOf = (error: unknown): string => {
  if (error instanceof ResultCodeError) return ldapResultText(error);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
};

export const stageError = (
  stage: LdapStage,
  host: LdapHost,
  error: unknown,
  code = stageCodes[stage],
): AppError =>
  new AppError(code, { expose: true, message: `${host.label}: ${reasonOf(error)}`, cause: error });

const withTimeout = async <T>(
  work: Promise<T>,
  ms: number | undefined,
  onTimeout: () => Error,
): Promise<T> => {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

const tlsOptionsFor = (settings: LdapConnectionSettings, host: LdapHost): ConnectionOptions => ({
  host: host.host,
  // SNI carries names only (RFC 6066 §3).
  ...(isIP(host.host) === 0 ? { servername: host.host } : {}),
  ...(settings.trustedCAs ? { ca: [...settings.trustedCAs] } : {}),
  ...(settings.verifyHost ? {} : { checkServerIdentity: () => undefined }),
  minVersion: "TLSv1.2",
  rejectUnauthorized: true,
});

/*
 * LDAP_DNS, LDAP_TCP and LDAP_TIMEOUT are 503s, whose messages are hidden by default; these
 * name only a host, a DN and a network reason, which the administrator needs to see.
 */

/** Opens, secures and binds one connection to `host`. */
export const openConnection = async (
  settings: LdapConnectionSettings,
  host: LdapHost,
): Promise<LdapConnection> => {
  if (isIP(host.host) === 0) {
    try {
      await withTimeout(
        lookup(host.host),
        settings.connectTimeoutMs,
        () => new Error("no answer from DNS in time"),
      );
    } catch (error) {
      throw stageError("DNS", host, error);
    }
  }
  const sockets: Socket[] = [];
  let tcpConnected = false;
  let tlsEstablished = false;
  const track = <S extends Socket>(socket: S): S => {
    framed(socket);
    sockets.push(socket);
    socket.once("connect", () => {
      tcpConnected = true;
    });
    socket.once("secureConnect", () => {
      tlsEstablished = true;
    });
    return socket;
  };
  const tls = tlsOptionsFor(settings, host);
  const client = new Client({
    url: `${settings.security === "LDAPS" ? "ldaps" : "ldap"}://${isIP(host.host) === 6 ? `[${host.host}]` : host.host}:${host.port}`,
    ...(settings.connectTimeoutMs === undefined ? {} : { connectTimeout: settings.connectTimeoutMs }),
    ...(settings.operationTimeoutMs === undefined ? {} : { timeout: settings.operationTimeoutMs }),
    // ldapts goes TLS from the start whenever tlsOptions are given: only for LDAPS.
    ...(settings.security === "LDAPS" ? { tlsOptions: tls } : {}),
    createConnection: ((port: number, hostname: string) =>
      track(tcpConnect(port, hostname))) as typeof tcpConnect,
    // ldapts calls it as (port, host, options) for LDAPS and as (options) to upgrade for StartTLS.
    createSecureConnection: ((
      first: number | ConnectionOptions,
      hostname?: string,
      options?: ConnectionOptions,
    ) =>
      track(
        typeof first === "number" ? tlsConnect(first, hostname ?? host.host, options) : tlsConnect(first),
      )) as unknown as typeof tlsConnect,
  });
  const transportStage = (): LdapStage =>
    !tcpConnected ? "TCP" : settings.security === "NONE" || tlsEstablished ? "BIND" : "TLS";
  const fail = async (stage: LdapStage, error: unknown): Promise<never> => {
    for (const socket of sockets) socket.destroy();
    throw stageError(stage, host, error);
  };

  try {
    if (settings.security === "STARTTLS") {
      await withTimeout(
        client.startTLS({ ...tls }),
        settings.connectTimeoutMs,
        () => new Error("TLS handshake not finished in time"),
      );
    }
  } catch (error) {
    return fail(tcpConnected ? "TLS" : "TCP", error);
  }
  try {
    await client.bind(settings.bind?.dn ?? "", settings.bind?.password ?? "");
  } catch (error) {
    const stage = transportStage();
    if (stage === "BIND" && !(error instanceof ResultCodeError)) {
      // The server took the connection but never answered the bind: a hung or non-LDAP server.
      if (error instanceof Error && /timed out|timeout/i.test(error.message)) {
        for (const socket of sockets) socket.destroy();
        throw new AppError("LDAP_TIMEOUT", {
          expose: true,
          message: `${host.label}: the server accepted the connection but did not answer the bind within ${settings.operationTimeoutMs} ms`,
          cause: error,
        });
      }
      return fail("TCP", error);
    }
    return fail(stage, error);
  }
  return {
    client,
    host,
    setIdle: (idle) => {
      for (const socket of sockets) {
        if (idle) socket.unref();
        else socket.ref();
      }
    },
  };
};

/**
 * Tries the hosts in order (failover) and returns the first that binds. A refused bind stops
 * there: the next host holds the same accounts. When all fail, the error is the one that got
 * furthest (a TLS problem says more than a host that is down), listing every host's reason.
 */
export const openAnyConnection = async (settings: LdapConnectionSettings): Promise<LdapConnection> => {
  const failures: AppError[] = [];
  for (const host of settings.hosts) {
    try {
      return await openConnection(settings, host);
    } catch (error) {
      if (!(error instanceof AppError) || error.code === "LDAP_BIND") throw error;
      failures.push(error);
    }
  }
  const order: readonly ErrorCode[] = ["LDAP_DNS", "LDAP_TCP", "LDAP_TLS"];
  const [first] = failures;
  if (first === undefined)
    throw new AppError("DATASTORE_INVALID", { message: "The data store lists no host." });
  const furthest = failures.reduce((a, b) => (order.indexOf(b.code) > order.indexOf(a.code) ? b : a));
  if (failures.length === 1) throw furthest;
  throw new AppError(furthest.code, {
    expose: true,
    message: failures.map((f) => `${f.code}: ${f.message}`).join("; "),
    cause: furthest,
    details: failures.map((f, i) => ({ field: `hostnames[${i}]`, message: `${f.code}: ${f.message}` })),
  });
};
