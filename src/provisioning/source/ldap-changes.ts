import { escapeFilterValue } from "../../ldap/filter.ts";
import type { DirectoryPreset } from "../../ldap/presets.ts";

/**
 * Change detection on an LDAP directory, by the channel's `changedUsersAlgorithm`. With
 * ACTIVE_DIRECTORY_USN the watermark is the highest `uSNChanged` read: every change has its own
 * number, so the next read asks for the ones after it. With a timestamp (`modifyTimestamp`,
 * `whenChanged`) the watermark is the latest time read, and the next read asks for entries at or
 * after it: two changes in the same second share a timestamp, so one read after the watermark's
 * second would miss the second of them. The entries at the watermark are read again, which is
 * harmless (each user is listed once per read, and the plan compares with what was pushed).
 */

type Detection = DirectoryPreset["changeDetectionSettings"];

const byUsn = (detection: Detection) => detection.changedUsersAlgorithm === "ACTIVE_DIRECTORY_USN";

const firstValue = (attributes: Readonly<Record<string, readonly string[]>>, name: string) => {
  const wanted = name.toLowerCase();
  for (const [attribute, values] of Object.entries(attributes))
    if (attribute.toLowerCase() === wanted) return values[0];
  return undefined;
};

/** A generalized time's digits (YYYYMMDDHHMMSS, then any fraction) for ordering; "" when it is none. */
const timeKey = (value: string): string => {
  const match = /^(\d{14})(?:[.,](\d+))?/.exec(value);
  return match ? `${match[1]}.${(match[2] ?? "").padEnd(7, "0")}` : "";
};

const usnOf = (value: string): bigint | undefined => (/^\d{1,20}$/.test(value) ? BigInt(value) : undefined);

/** The entry's position (its USN or timestamp), or "" when it has none. */
export const markOf = (
  detection: Detection,
  attributes: Readonly<Record<string, readonly string[]>>,
): string => {
  const name = byUsn(detection) ? detection.usnAttributeName : detection.timeStampAttributeName;
  return (name ? firstValue(attributes, name) : undefined) ?? "";
};

/** The later of two positions ("" is before everything). */
export const laterMark = (detection: Detection, a: string, b: string): string => {
  if (byUsn(detection)) {
    const x = usnOf(a);
    const y = usnOf(b);
    if (x === undefined) return y === undefined ? a : b;
    return y !== undefined && y > x ? b : a;
  }
  return timeKey(b) > timeKey(a) ? b : a;
};

/** Attribute names are the channel's configuration, checked to be names (ldap-settings.ts); the value is escaped. */
const atLeast = (attribute: string, value: string) => `(${attribute}>=${escapeFilterValue(value)})`;

/** The filter for entries changed since `watermark` ("" before the first read: all of them). */
export const changeFilter = (detection: Detection, watermark: string): string => {
  if (byUsn(detection)) {
    const attribute = detection.usnAttributeName ?? "uSNChanged";
    const usn = usnOf(watermark);
    return usn === undefined ? `(${attribute}=*)` : atLeast(attribute, String(usn + 1n));
  }
  const attribute = detection.timeStampAttributeName;
  return timeKey(watermark) === "" ? `(${attribute}=*)` : atLeast(attribute, watermark);
};
