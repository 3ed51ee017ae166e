import assert from "node:assert/strict";
import type { Channel } from "../../src/domain/channel.ts";
import { defaultLdapMapping } from "../../src/provisioning/model/channel-config.ts";
import { type ProvisioningBench, startProvisioningBench } from "./provisioning.ts";
import { adServiceDn, adServicePassword, peopleDn, type SambaDc } from "./samba.ts";
import { baseDn, type Slapd, serviceDn, servicePassword } from "./slapd.ts";

/** A Portico and an emulated org whose channel reads a real slapd or AD through a data store "corp". */

export const ldapStore = (slapd: Slapd, id = "corp") => ({
  type: "LDAP",
  id,
  name: "Corporate LDAP",
  ldapType: "GENERIC",
  hostnames: [slapd.hostname],
  userDN: serviceDn,
  password: servicePassword,
  maxWait: 2000,
});

export const ldapChannel = (channelSource: Partial<Channel["channelSource"]>): Channel => ({
  name: "staff",
  active: true,
  channelSource: { dataSource: { id: "corp" }, baseDn, ...channelSource },
  attributeMapping: defaultLdapMapping("GENERIC"),
});

/** A data store "corp" for a real Active Directory (samba.ts): LDAPS with the DC's CA, the AD preset. */
export const adStore = (dc: SambaDc, id = "corp") => ({
  type: "LDAP",
  id,
  name: "Corporate AD",
  ldapType: "ACTIVE_DIRECTORY",
  hostnames: [dc.hostname],
  useSsl: true,
  trustedCAs: [dc.caPem],
  userDN: adServiceDn,
  password: adServicePassword,
  maxWait: 2000,
});

/** A channel on the AD store, its users under OU=People, mapped by the AD preset's defaults. */
export const adChannel = (channelSource: Partial<Channel["channelSource"]>): Channel => ({
  name: "staff",
  active: true,
  channelSource: { dataSource: { id: "corp" }, baseDn: peopleDn, ...channelSource },
  attributeMapping: defaultLdapMapping("ACTIVE_DIRECTORY"),
});

export const setUpLdapBench = async (
  directory: Slapd | SambaDc,
  channel: Channel,
): Promise<ProvisioningBench> => {
  const bench = await startProvisioningBench();
  const store = "address" in directory ? adStore(directory) : ldapStore(directory);
  const stored = await bench.server.request("POST", "/dataStores", store);
  assert.equal(stored.statusCode, 201, stored.body);
  const saved = await bench.configure({ channels: [channel] });
  assert.ok(saved.statusCode < 300, saved.body);
  return bench;
};

/** Whether each user (by uid, @example.com) is active in the org; "absent" when not there. */
export const orgState = async (bench: ProvisioningBench, uids: readonly string[]) => {
  const out: Record<string, boolean | "absent"> = {};
  for (const uid of uids) {
    const user = await bench.sfUser(`${uid}@example.com`);
    out[uid] = user === undefined ? "absent" : user.IsActive === true;
  }
  return out;
};

/** LDIF replacing one attribute's values. */
export const replaceValue = (dn: string, attribute: string, value: string) =>
  [`dn: ${dn}`, "changetype: modify", `replace: ${attribute}`, `${attribute}: ${value}`, ""].join("\n");
