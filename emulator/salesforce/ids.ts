/**
 * Salesforce record ids: a 3-character key prefix, a 2-character pod, a reserved character and a
 * 9-character base-62 counter make the case-sensitive 15-character id; a 3-character suffix that
 * encodes the case of its letters makes the case-safe 18-character form the API returns.
 */

export const keyPrefixes = {
  Organization: "00D",
  User: "005",
  Profile: "00e",
  UserRole: "00E",
  Group: "00G",
  GroupMember: "011",
  Account: "001",
  Contact: "003",
  PermissionSet: "0PS",
  PermissionSetAssignment: "0Pa",
  UserLicense: "100",
  UserLogin: "060",
  Site: "0DM",
  QueryLocator: "01g",
} as const;

const suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const id15Pattern = /^[0-9A-Za-z]{15}$/;
const id18Pattern = /^[0-9A-Za-z]{15}[A-Z0-5]{3}$/i;

/** The 3-character case-safe suffix of a 15-character id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += suffixAlphabet[bits];
  }
  return suffix;
}

export function to18(id15: string): string {
  return id15 + caseSafeSuffix(id15);
}

/**
 * The canonical 18-character id for a 15- or 18-character input, or undefined when the input is
 * not an id. An 18-character id is case-insensitive: its suffix restores the case of the first 15.
 */
export function normalizeId(value: string): string | undefined {
  if (id15Pattern.test(value)) return to18(value);
  if (!id18Pattern.test(value)) return undefined;
  const suffix = value.slice(15).toUpperCase();
  let restored = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = suffixAlphabet.indexOf(suffix.charAt(chunk));
    for (let i = 0; i < 5; i++) {
      const c = value.charAt(chunk * 5 + i);
      const upper = (bits & (1 << i)) !== 0;
      if (upper && !/[A-Za-z]/.test(c)) return undefined;
      restored += upper ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return restored + suffix;
}

function encodeBase62(n: number, width: number): string {
  let out = "";
  let rest = n;
  while (rest > 0) {
    out = base62.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}

/**
 * Hands out ids per key prefix from counters. Seeded records come from a generator that starts
 * again at each reset (so the admin, profiles and roles keep their ids), records created later
 * from one that only grows (so an id is never handed out twice in a process).
 */
export class IdGenerator {
  readonly #counters = new Map<string, number>();

  constructor(
    readonly pod: string,
    readonly start = 1,
  ) {}

  next(prefix: string): string {
    const n = (this.#counters.get(prefix) ?? this.start - 1) + 1;
    this.#counters.set(prefix, n);
    return to18(`${prefix}${this.pod}0${encodeBase62(n, 9)}`);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#counters);
  }

  load(counters: Record<string, number>): void {
    this.#counters.clear();
    for (const [prefix, n] of Object.entries(counters)) this.#counters.set(prefix, n);
  }
}
