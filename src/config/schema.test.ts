import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../test/support/errors.ts";
import { parseConfig } from "./schema.ts";

describe("configuration", () => {
  it("applies DESIGN.md's defaults", () => {
    const config = parseConfig({}, "/srv/portico");
    assert.deepEqual(config, {
      dataDir: "/srv/portico/data",
      databaseUrl: "sqlite:/srv/portico/data/portico.db",
      runtimePort: 9031,
      adminPort: 9999,
      host: "127.0.0.1",
      adminHost: "127.0.0.1",
      baseUrl: "http://localhost:9031",
      entityId: "http://localhost:9031",
      adminPassword: undefined,
      masterKey: undefined,
      previousMasterKeys: [],
      logLevel: "info",
      sessionLifetimeMinutes: 480,
      sessionIdleMinutes: 30,
      clockSkewSeconds: 180,
      trustedProxies: [],
      metricsPublic: false,
      drainSeconds: 0,
      shutdownTimeoutSeconds: 30,
      nodeIndex: undefined,
    });
  });

  it("reads the metrics and shutdown settings, and names a bad value's variable", () => {
    const config = parseConfig(
      { PORTICO_METRICS_PUBLIC: "true", PORTICO_DRAIN_SECONDS: "5", PORTICO_SHUTDOWN_TIMEOUT_SECONDS: "60" },
      "/",
    );
    assert.deepEqual(
      [config.metricsPublic, config.drainSeconds, config.shutdownTimeoutSeconds],
      [true, 5, 60],
    );
    throwsCode(
      () => parseConfig({ PORTICO_METRICS_PUBLIC: "yes" }, "/"),
      "CFG_INVALID",
      /PORTICO_METRICS_PUBLIC/,
    );
    throwsCode(
      () => parseConfig({ PORTICO_DRAIN_SECONDS: "-1" }, "/"),
      "CFG_INVALID",
      /PORTICO_DRAIN_SECONDS/,
    );
    throwsCode(
      () => parseConfig({ PORTICO_SHUTDOWN_TIMEOUT_SECONDS: "0" }, "/"),
      "CFG_INVALID",
      /PORTICO_SHUTDOWN_TIMEOUT_SECONDS/,
    );
  });

  it("reads PORTICO_NODE_INDEX, 1 to 65535", () => {
    assert.equal(parseConfig({ PORTICO_NODE_INDEX: "3" }, "/").nodeIndex, 3);
    for (const bad of ["0", "65536", "two", "1.5"])
      throwsCode(() => parseConfig({ PORTICO_NODE_INDEX: bad }, "/"), "CFG_INVALID", /PORTICO_NODE_INDEX/);
  });

  it("reads trusted proxies as addresses and CIDRs, comma- or space-separated", () => {
    assert.deepEqual(
      parseConfig({ PORTICO_TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.7 ::1,fd00::/8" }, "/").trustedProxies,
      ["10.0.0.0/8", "192.0.2.7", "::1", "fd00::/8"],
    );
  });

  it("derives the entity ID from the base URL unless given, and trims a trailing slash", () => {
    assert.equal(
      parseConfig({ PORTICO_BASE_URL: "https://sso.acme.com/" }, "/").entityId,
      "https://sso.acme.com",
    );
    assert.equal(
      parseConfig({ PORTICO_BASE_URL: "https://sso.acme.com", PORTICO_ENTITY_ID: "urn:acme:idp" }, "/")
        .entityId,
      "urn:acme:idp",
    );
    assert.equal(
      parseConfig({ PORTICO_DATA_DIR: "/var/lib/portico" }, "/").databaseUrl,
      "sqlite:/var/lib/portico/portico.db",
    );
  });

  it("derives the default base URL from the runtime port", () => {
    const config = parseConfig({ PORTICO_RUNTIME_PORT: "9100" }, "/");
    assert.equal(config.baseUrl, "http://localhost:9100");
    assert.equal(config.entityId, "http://localhost:9100", "and the entity ID (Salesforce's Issuer) with it");
    assert.equal(
      parseConfig({ PORTICO_RUNTIME_PORT: "9100", PORTICO_BASE_URL: "https://sso.acme.com" }, "/").baseUrl,
      "https://sso.acme.com",
    );
  });

  it("keeps the admin listener on its own address: PORTICO_HOST opens only the runtime", () => {
    const open = parseConfig({ PORTICO_HOST: "0.0.0.0" }, "/");
    assert.equal(open.host, "0.0.0.0");
    assert.equal(open.adminHost, "127.0.0.1");
    assert.equal(parseConfig({ PORTICO_ADMIN_HOST: "10.0.0.5" }, "/").adminHost, "10.0.0.5");
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORTICO_RUNTIME_PORT: "90310" }, /PORTICO_RUNTIME_PORT: "90310" is not a port number/],
    [{ PORTICO_ADMIN_PORT: "abc" }, /PORTICO_ADMIN_PORT/],
    [{ PORTICO_BASE_URL: "sso.acme.com" }, /PORTICO_BASE_URL: "sso.acme.com" is not an absolute URL/],
    [{ PORTICO_BASE_URL: "localhost:9031" }, /PORTICO_BASE_URL: must be http or https/],
    [{ PORTICO_BASE_URL: "ftp://x" }, /PORTICO_BASE_URL: must be http or https/],
    [{ PORTICO_DATABASE_URL: "mysql://x" }, /PORTICO_DATABASE_URL: must start with sqlite: or postgres:\/\//],
    [{ PORTICO_LOG_LEVEL: "loud" }, /PORTICO_LOG_LEVEL: must be one of/],
    [{ PORTICO_TRUSTED_PROXIES: "10.0.0.0/33" }, /PORTICO_TRUSTED_PROXIES: "10.0.0.0\/33" is not an IP/],
    [{ PORTICO_TRUSTED_PROXIES: "proxy.internal" }, /PORTICO_TRUSTED_PROXIES: "proxy.internal" is not/],
    [{ PORTICO_TRUSTED_PROXIES: "10.0.0.0/8/1" }, /PORTICO_TRUSTED_PROXIES/],
    [{ PORTICO_ADMIN_PASSWORD: "short" }, /^PORTICO_ADMIN_PASSWORD: must be at least 12 characters$/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      throwsCode(() => parseConfig(env, "/"), "CFG_INVALID", message);
    });
  }
});
