import { isIP } from "node:net";
import { isAbsolute, join, resolve } from "node:path";
import { parseMasterKey } from "../crypto/secret-box.ts";
import { AppError } from "../lib/errors.ts";
import { minimumAdminPasswordLength } from "../lib/password-policy.ts";

/** Log levels pino understands. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Portico's configuration after defaults are applied. Every field comes from one variable below. */
export type Config = {
  /** Where the SQLite database and a generated master key live (logs go to stdout). */
  readonly dataDir: string;
  /** `sqlite:<path>` or `postgres://…`. */
  readonly databaseUrl: string;
  readonly runtimePort: number;
  readonly adminPort: number;
  /** Listen address of the runtime listener. */
  readonly host: string;
  /** Listen address of the admin listener: its own, so the admin API stays private by default. */
  readonly adminHost: string;
  /** Public URL of the runtime; endpoints in metadata derive from it. No trailing slash. */
  readonly baseUrl: string;
  /** The IdP's SAML entity ID (Salesforce's "Issuer"). */
  readonly entityId: string;
  /** Password of the bootstrap `admin` account; generated and printed once when absent. */
  readonly adminPassword: string | undefined;
  /** Master key text (base64 or hex of 32 bytes); generated into the data dir when absent. */
  readonly masterKey: string | undefined;
  /** Master keys being rotated out: they open what they sealed; nothing new is sealed with them. */
  readonly previousMasterKeys: readonly Buffer[];
  readonly logLevel: LogLevel;
  /** How long an SSO session lasts at most, and how long it survives without use. */
  readonly sessionLifetimeMinutes: number;
  readonly sessionIdleMinutes: number;
  /** Clock skew allowed on incoming SAML messages' IssueInstant. */
  readonly clockSkewSeconds: number;
  /**
   * Addresses and CIDRs of the reverse proxies in front of Portico. Only a request whose peer is
   * one of them has its `X-Forwarded-For` and `X-Forwarded-Proto` believed.
   */
  readonly trustedProxies: readonly string[];
  /** `GET /metrics` without credentials (a scraper on a private network). */
  readonly metricsPublic: boolean;
  /** On SIGTERM: how long readiness reports "draining" before the listeners stop accepting. */
  readonly drainSeconds: number;
  /** On SIGTERM: how long in-flight requests and the provisioning batch get before a forced exit. */
  readonly shutdownTimeoutSeconds: number;
  /**
   * This node's index in a cluster (PingFederate's provisioner.node.id): which node provisions in
   * STANDALONE, and the order of takeover in FAILOVER. Undefined: a node without one.
   */
  readonly nodeIndex: number | undefined;
};

type VariableSpec = {
  readonly name: string;
  readonly default: string;
  readonly meaning: string;
};

/** The configuration table of the README, in one place. */
export const configVariables: readonly VariableSpec[] = [
  {
    name: "PORTICO_DATA_DIR",
    default: "`./data`",
    meaning: "where the SQLite database and a generated master key live",
  },
  {
    name: "PORTICO_DATABASE_URL",
    default: "`sqlite:<data dir>/portico.db`",
    meaning: "`postgres://…` for several nodes",
  },
  {
    name: "PORTICO_RUNTIME_PORT",
    default: "`9031`",
    meaning: "runtime engine listener (SSO, SLO, metadata)",
  },
  { name: "PORTICO_ADMIN_PORT", default: "`9999`", meaning: "admin listener (API + console)" },
  { name: "PORTICO_HOST", default: "`127.0.0.1`", meaning: "listen address of the runtime listener" },
  {
    name: "PORTICO_ADMIN_HOST",
    default: "`127.0.0.1`",
    meaning: "listen address of the admin listener: keep it private",
  },
  {
    name: "PORTICO_BASE_URL",
    default: "`http://localhost:<runtime port>`",
    meaning: "public URL of the runtime; endpoints in metadata derive from it",
  },
  {
    name: "PORTICO_ENTITY_ID",
    default: "the base URL",
    meaning: "the IdP's SAML entity ID (Salesforce's \"Issuer\")",
  },
  {
    name: "PORTICO_ADMIN_PASSWORD",
    default: "generated, printed once",
    meaning: "password of the bootstrap `admin` account",
  },
  {
    name: "PORTICO_MASTER_KEY",
    default: "generated into the data dir, with a warning",
    meaning: "key that encrypts private keys and connector secrets at rest (32 bytes, base64 or hex)",
  },
  {
    name: "PORTICO_MASTER_KEY_PREVIOUS",
    default: "none",
    meaning:
      "during a master-key rotation, the old key(s), comma-separated: they open what they sealed until `portico master-key reseal` seals it again",
  },
  { name: "PORTICO_LOG_LEVEL", default: "`info`", meaning: "`fatal` … `trace`, or `silent`" },
  {
    name: "PORTICO_SESSION_LIFETIME_MINUTES",
    default: "`480`",
    meaning: "longest life of an SSO session at the IdP",
  },
  {
    name: "PORTICO_SESSION_IDLE_MINUTES",
    default: "`30`",
    meaning: "an SSO session unused this long ends",
  },
  {
    name: "PORTICO_CLOCK_SKEW_SECONDS",
    default: "`180`",
    meaning: "clock skew allowed on incoming SAML messages",
  },
  {
    name: "PORTICO_TRUSTED_PROXIES",
    default: "none",
    meaning:
      "addresses or CIDRs of your reverse proxies, comma-separated; only their `X-Forwarded-For`/`-Proto` are believed",
  },
  {
    name: "PORTICO_METRICS_PUBLIC",
    default: "`false`",
    meaning:
      "`true`: `GET /metrics` on the admin listener answers without credentials; otherwise it takes an admin account or API token",
  },
  {
    name: "PORTICO_DRAIN_SECONDS",
    default: "`0`",
    meaning:
      "on SIGTERM, how long `/healthz/ready` answers 503 before the listeners stop accepting (your load balancer's check interval × fall count)",
  },
  {
    name: "PORTICO_SHUTDOWN_TIMEOUT_SECONDS",
    default: "`30`",
    meaning:
      "on SIGTERM, how long in-flight requests and the current provisioning batch get to finish before the process exits with code 1",
  },
  {
    name: "PORTICO_NODE_INDEX",
    default: "none",
    meaning:
      "this node's index in a cluster, 1 to 65535, unique per node: which node provisions (see [Provisioning on several nodes](#provisioning-on-several-nodes))",
  },
];

const fail = (variable: string, message: string): AppError =>
  new AppError("CFG_INVALID", {
    message: `${variable}: ${message}`,
    details: [{ field: variable, message }],
  });

const port = (variable: string, text: string | undefined, fallback: number): number => {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw fail(variable, `"${text}" is not a port number`);
  return value;
};

const positive = (variable: string, text: string | undefined, fallback: number, max: number): number => {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw fail(variable, `"${text}" must be a whole number from 1 to ${max}`);
  return value;
};

const seconds = (variable: string, text: string | undefined, fallback: number, max: number): number => {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw fail(variable, `"${text}" must be a whole number of seconds from 0 to ${max}`);
  return value;
};

const flag = (variable: string, text: string | undefined): boolean => {
  if (text === undefined || text === "false") return false;
  if (text === "true") return true;
  throw fail(variable, `"${text}" must be true or false`);
};

/** `10.0.0.0/8, 192.0.2.7, ::1`: addresses, or CIDRs whose prefix fits the address family. */
const proxies = (variable: string, text: string | undefined): string[] => {
  if (text === undefined) return [];
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [address = "", prefix, extra] = entry.split("/");
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const prefixOk =
        prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits && extra === undefined);
      if (family === 0 || !prefixOk)
        throw fail(variable, `"${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8)`);
      return entry;
    });
};

/** Checked here, before the start stores anything, so the message names the variable. */
const adminPassword = (text: string | undefined): string | undefined => {
  if (text !== undefined && text.length < minimumAdminPasswordLength)
    throw fail("PORTICO_ADMIN_PASSWORD", `must be at least ${minimumAdminPasswordLength} characters`);
  return text;
};

const url = (variable: string, text: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw fail(variable, `"${text}" is not an absolute URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw fail(variable, "must be http or https");
  if (parsed.search || parsed.hash) throw fail(variable, "must not carry a query or fragment");
  return text.replace(/\/+$/, "");
};

/**
 * Reads the configuration from an environment (process.env, or a file's values merged over it
 * by the loader). Pure: the working directory is passed in.
 */
export const parseConfig = (env: Readonly<Record<string, string | undefined>>, cwd: string): Config => {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === "" ? undefined : text;
  };
  const dataDirText = value("PORTICO_DATA_DIR") ?? "./data";
  const dataDir = isAbsolute(dataDirText) ? dataDirText : resolve(cwd, dataDirText);
  const databaseUrl = value("PORTICO_DATABASE_URL") ?? `sqlite:${join(dataDir, "portico.db")}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw fail("PORTICO_DATABASE_URL", "must start with sqlite: or postgres://");
  }
  const runtimePort = port("PORTICO_RUNTIME_PORT", value("PORTICO_RUNTIME_PORT"), 9031);
  // The default follows the runtime port, so a newcomer who moves the port gets metadata, the
  // Issuer and the SSO Application Endpoint that still point at this server.
  const baseUrl = url("PORTICO_BASE_URL", value("PORTICO_BASE_URL") ?? `http://localhost:${runtimePort}`);
  const logLevel = value("PORTICO_LOG_LEVEL") ?? "info";
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw fail("PORTICO_LOG_LEVEL", `must be one of ${logLevels.join(", ")}`);
  }
  return {
    dataDir,
    databaseUrl,
    runtimePort,
    adminPort: port("PORTICO_ADMIN_PORT", value("PORTICO_ADMIN_PORT"), 9999),
    host: value("PORTICO_HOST") ?? "127.0.0.1",
    // Not PORTICO_HOST: opening the runtime to the world must not open the admin API with it.
    adminHost: value("PORTICO_ADMIN_HOST") ?? "127.0.0.1",
    baseUrl,
    entityId: value("PORTICO_ENTITY_ID") ?? baseUrl,
    adminPassword: adminPassword(value("PORTICO_ADMIN_PASSWORD")),
    masterKey: value("PORTICO_MASTER_KEY"),
    previousMasterKeys: (value("PORTICO_MASTER_KEY_PREVIOUS") ?? "")
      .split(",")
      .map((text) => text.trim())
      .filter((text) => text !== "")
      .map(parseMasterKey),
    logLevel: logLevel as LogLevel,
    sessionLifetimeMinutes: positive(
      "PORTICO_SESSION_LIFETIME_MINUTES",
      value("PORTICO_SESSION_LIFETIME_MINUTES"),
      480,
      43200,
    ),
    sessionIdleMinutes: positive(
      "PORTICO_SESSION_IDLE_MINUTES",
      value("PORTICO_SESSION_IDLE_MINUTES"),
      30,
      43200,
    ),
    clockSkewSeconds: positive("PORTICO_CLOCK_SKEW_SECONDS", value("PORTICO_CLOCK_SKEW_SECONDS"), 180, 3600),
    trustedProxies: proxies("PORTICO_TRUSTED_PROXIES", value("PORTICO_TRUSTED_PROXIES")),
    metricsPublic: flag("PORTICO_METRICS_PUBLIC", value("PORTICO_METRICS_PUBLIC")),
    drainSeconds: seconds("PORTICO_DRAIN_SECONDS", value("PORTICO_DRAIN_SECONDS"), 0, 600),
    shutdownTimeoutSeconds: positive(
      "PORTICO_SHUTDOWN_TIMEOUT_SECONDS",
      value("PORTICO_SHUTDOWN_TIMEOUT_SECONDS"),
      30,
      3600,
    ),
    nodeIndex:
      value("PORTICO_NODE_INDEX") === undefined
        ? undefined
        : positive("PORTICO_NODE_INDEX", value("PORTICO_NODE_INDEX"), 1, 65535),
  };
};
