import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LdapDataStore } from "../domain/data-store.ts";
import { connectionSettings, effectiveHostnames, parseHostname } from "./settings.ts";

describe("data store settings", () => {
  it("parses host names with default ports for LDAP and LDAPS, and IPv6", () => {
    assert.deepEqual(parseHostname("dc1.corp.example.com", false), {
      host: "dc1.corp.example.com",
      port: 389,
      label: "dc1.corp.example.com",
    });
    assert.equal((parseHostname("dc1.corp.example.com", true) as { port: number }).port, 636);
    assert.deepEqual(parseHostname("[::1]:1389", false), { host: "::1", port: 1389, label: "[::1]:1389" });
    assert.equal((parseHostname("::1", false) as { host: string }).host, "::1");
    assert.equal(parseHostname("ldap.example.com:0", false), "the port must be 1 to 65535");
    assert.match(String(parseHostname("ldaps://ldap.example.com", false)), /not a URL/);
    assert.equal(parseHostname("bad host", false), "expected host or host:port");
  });

  it("uses the default source of hostnamesTags when hostnames is absent", () => {
    const store: LdapDataStore = {
      type: "LDAP",
      ldapType: "GENERIC",
      hostnamesTags: [
        { hostnames: ["east.example.com"], tags: "east" },
        { hostnames: ["main.example.com", "backup.example.com"], defaultSource: true },
      ],
    };
    assert.deepEqual(effectiveHostnames(store), ["main.example.com", "backup.example.com"]);
  });

  it("reads PingFederate's 0 as Portico's default timeouts and -1 as none", () => {
    const base: LdapDataStore = {
      type: "LDAP",
      ldapType: "GENERIC",
      hostnames: ["h"],
      bindAnonymously: true,
    };
    const defaults = connectionSettings({ ...base, connectionTimeout: 0, readTimeout: 0 }, undefined);
    assert.equal(defaults.connectTimeoutMs, 10_000);
    assert.equal(defaults.operationTimeoutMs, 30_000);
    assert.equal(defaults.bind, null);
    const none = connectionSettings({ ...base, connectionTimeout: -1, readTimeout: -1 }, undefined);
    assert.equal(none.connectTimeoutMs, undefined);
    assert.equal(none.operationTimeoutMs, undefined);
    assert.equal(connectionSettings({ ...base, useStartTLS: true }, undefined).security, "STARTTLS");
  });
});
