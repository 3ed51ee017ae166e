/**
 * Distinguished names, as far as a channel needs them: whether an entry lies under a base DN, and
 * the directory's naming context (its domain) around a base DN. Compared case-insensitively and
 * without the spaces people put after commas (RFC 4514 §2.4 does not make them significant).
 */

const rdnsOf = (dn: string): string[] =>
  dn
    .split(/(?<!\\),/)
    .map((rdn) => rdn.trim())
    .filter((rdn) => rdn !== "");

/** A DN in one spelling for comparing: RDNs trimmed and lower-cased. */
export const dnKey = (dn: string): string =>
  rdnsOf(dn)
    .map((rdn) => rdn.toLowerCase())
    .join(",");

/** Whether `dn` is `base` or lies below it. */
export const isUnderDn = (dn: string, base: string): boolean => {
  const entry = dnKey(dn);
  const root = dnKey(base);
  return root === "" || entry === root || entry.endsWith(`,${root}`);
};

/**
 * The naming context a base DN lies in, as its trailing `DC=` components (AD's domain,
 * `DC=corp,DC=example,DC=com`; RFC 2247 for other directories); the base DN itself when it has
 * none. Group changes and users moving out of a channel's base DN are looked for there: AD keeps
 * users and groups in separate OUs, and a leaver is often moved to an OU of its own.
 */
export const namingContextOf = (baseDn: string): string => {
  const rdns = rdnsOf(baseDn);
  let start = rdns.length;
  while (start > 0 && /^dc=/i.test(rdns[start - 1] ?? "")) start--;
  return start === rdns.length ? baseDn : rdns.slice(start).join(",");
};
