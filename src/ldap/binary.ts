/**
 * Binary attribute values as text. Active Directory's `objectGUID` is a GUID in Microsoft's mixed
 * byte order (the first three fields little-endian; MS-DTYP §2.3.4.2) and `objectSid` a SID
 * (MS-DTYP §2.4.2.2, shown as S-1-5-21-…); any other binary attribute becomes base64.
 */

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** 16 bytes → `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, as AD's tools print objectGUID. */
export const formatGuid = (bytes: Uint8Array): string => {
  if (bytes.length !== 16) return Buffer.from(bytes).toString("base64");
  const b = Buffer.from(bytes);
  const reversed = (start: number, end: number) => hex(Uint8Array.from(b.subarray(start, end)).reverse());
  return [
    reversed(0, 4),
    reversed(4, 6),
    reversed(6, 8),
    hex(b.subarray(8, 10)),
    hex(b.subarray(10, 16)),
  ].join("-");
};

/** A binary SID → `S-<revision>-<authority>-<sub>-…`; bytes that are no SID become base64. */
export const formatSid = (bytes: Uint8Array): string => {
  const b = Buffer.from(bytes);
  const count = b[1] ?? 0;
  if (b.length < 8 || b.length !== 8 + 4 * count) return b.toString("base64");
  const authority = b.readUIntBE(2, 6);
  const subAuthorities = Array.from({ length: count }, (_, i) => b.readUInt32LE(8 + 4 * i));
  return ["S", b[0], authority, ...subAuthorities].join("-");
};

/** The text Portico uses for one value of a binary attribute. */
export const binaryValue = (attribute: string, bytes: Uint8Array): string => {
  const name = attribute.toLowerCase();
  if (name === "objectguid") return formatGuid(bytes);
  if (name === "objectsid") return formatSid(bytes);
  return Buffer.from(bytes).toString("base64");
};
