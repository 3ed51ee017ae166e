import { randomBytes } from "node:crypto";
import { LIMITS } from "./constants.ts";
import type { SpKeys } from "./keys.ts";
import type { Session } from "./sessions.ts";
import { parseSsoSettings, type SsoSettings } from "./settings.ts";
import type { ValidationResult } from "./validate-response.ts";

/** An AuthnRequest or LogoutRequest this SP sent, kept for the InResponseTo check. */
export type IssuedRequest = {
  id: string;
  kind: "AuthnRequest" | "LogoutRequest";
  acsUrl: string;
  destination: string;
  binding: "HTTP-Redirect" | "HTTP-POST";
  issuedAt: string;
  relayState?: string;
};

export type LogoutEvent = {
  time: string;
  /** Who started the logout. */
  initiator: "idp" | "sp";
  message: "LogoutRequest" | "LogoutResponse";
  ok: boolean;
  detail: string;
  nameId?: string;
  endedSessions: number;
};

/** Everything the SP keeps; `toJSON` and `load` round-trip it. */
export type SpStateJson = {
  version: 1;
  configId: string;
  keys?: SpKeys;
  settings?: SsoSettings;
  issuedRequests: IssuedRequest[];
  seenAssertions: string[];
  sessions: Session[];
  validations: ValidationResult[];
  logoutEvents: LogoutEvent[];
};

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** SamlSsoConfig ids are 15-character Salesforce ids with key prefix 0LE. */
export function newConfigId(): string {
  const tail = [...randomBytes(6)].map((b) => BASE62[b % 62]).join("");
  return `0LE5g000000${tail}`.slice(0, 15);
}

/** Appends to a bounded list (oldest dropped first). */
function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export type SpStore = ReturnType<typeof createSpStore>;

export function createSpStore() {
  let configId = newConfigId();
  let keys: SpKeys | undefined;
  let settings: SsoSettings | undefined;
  let issued: IssuedRequest[] = [];
  // Insertion-ordered, so the oldest IDs are dropped first once the bound is reached.
  let seen = new Set<string>();
  let sessions = new Map<string, Session>();
  let validations: ValidationResult[] = [];
  let logoutEvents: LogoutEvent[] = [];

  return {
    get configId() {
      return configId;
    },
    get keys() {
      return keys;
    },
    set keys(value: SpKeys | undefined) {
      keys = value;
    },
    get settings() {
      return settings;
    },
    set settings(value: SsoSettings | undefined) {
      settings = value;
    },

    issue(request: IssuedRequest): void {
      pushBounded(issued, request, LIMITS.issuedRequests);
    },
    issuedRequest(id: string, kind: IssuedRequest["kind"]): IssuedRequest | undefined {
      return issued.find((r) => r.id === id && r.kind === kind);
    },
    /** A request is answered once; its ID cannot be used by a second response. */
    consumeRequest(id: string): void {
      issued = issued.filter((r) => r.id !== id);
    },
    issuedRequests(): IssuedRequest[] {
      return [...issued].reverse();
    },

    hasSeenAssertion(id: string): boolean {
      return seen.has(id);
    },
    rememberAssertion(id: string): void {
      seen.add(id);
      if (seen.size > LIMITS.seenAssertions) {
        const oldest = seen.values().next();
        if (!oldest.done) seen.delete(oldest.value);
      }
    },

    addSession(session: Session): void {
      sessions.set(session.id, session);
    },
    session(id: string): Session | undefined {
      return sessions.get(id);
    },
    endSession(id: string): boolean {
      return sessions.delete(id);
    },
    /** Ends the sessions an IdP's LogoutRequest names (saml-core §3.7.3.2). */
    endSessionsFor(issuer: string, nameId: string, sessionIndexes: string[]): Session[] {
      const ended = [...sessions.values()].filter(
        (s) =>
          s.issuer === issuer &&
          s.nameId === nameId &&
          (sessionIndexes.length === 0 ||
            (s.sessionIndex !== undefined && sessionIndexes.includes(s.sessionIndex))),
      );
      for (const s of ended) sessions.delete(s.id);
      return ended;
    },
    sessions(): Session[] {
      return [...sessions.values()].reverse();
    },

    recordValidation(result: ValidationResult): void {
      validations.unshift(result);
      if (validations.length > LIMITS.validations) validations.length = LIMITS.validations;
    },
    validations(): ValidationResult[] {
      return [...validations];
    },

    recordLogout(event: LogoutEvent): void {
      logoutEvents.unshift(event);
      if (logoutEvents.length > LIMITS.logoutEvents) logoutEvents.length = LIMITS.logoutEvents;
    },
    logoutEvents(): LogoutEvent[] {
      return [...logoutEvents];
    },

    /** Forgets the configuration and all runtime state; keys survive (same org, same cert). */
    reset(): void {
      configId = newConfigId();
      settings = undefined;
      issued = [];
      seen = new Set();
      sessions = new Map();
      validations = [];
      logoutEvents = [];
    },

    toJSON(): SpStateJson {
      return {
        version: 1,
        configId,
        ...(keys ? { keys } : {}),
        ...(settings ? { settings } : {}),
        issuedRequests: issued,
        seenAssertions: [...seen],
        sessions: [...sessions.values()],
        validations,
        logoutEvents,
      };
    },

    load(state: unknown): void {
      const parsed = readState(state);
      configId = parsed.configId;
      keys = parsed.keys;
      settings = parsed.settings;
      issued = parsed.issuedRequests;
      seen = new Set(parsed.seenAssertions);
      sessions = new Map(parsed.sessions.map((s) => [s.id, s]));
      validations = parsed.validations;
      logoutEvents = parsed.logoutEvents;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function arrayOf<T>(value: unknown, name: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`SAML state: ${name} must be an array`);
  // The lists are written by toJSON of this module; their items are trusted once the
  // container shape is right. Settings and keys are checked properly below.
  return value as T[];
}

function readKeys(value: unknown): SpKeys | undefined {
  if (value === undefined) return undefined;
  if (
    !isRecord(value) ||
    typeof value.privateKeyPem !== "string" ||
    typeof value.certificatePem !== "string" ||
    typeof value.orgId !== "string"
  ) {
    throw new Error("SAML state: keys must have privateKeyPem, certificatePem and orgId");
  }
  return { privateKeyPem: value.privateKeyPem, certificatePem: value.certificatePem, orgId: value.orgId };
}

function readState(state: unknown): Omit<SpStateJson, "keys" | "settings"> & {
  keys: SpKeys | undefined;
  settings: SsoSettings | undefined;
} {
  if (!isRecord(state) || state.version !== 1 || typeof state.configId !== "string") {
    throw new Error("SAML state: expected { version: 1, configId, … }");
  }
  let settings: SsoSettings | undefined;
  if (state.settings !== undefined) {
    const parsed = parseSsoSettings(state.settings, "");
    if (!parsed.ok) {
      throw new Error(
        `SAML state: settings invalid: ${parsed.problems.map((p) => `${p.field} ${p.message}`).join("; ")}`,
      );
    }
    settings = parsed.settings;
  }
  return {
    version: 1,
    configId: state.configId,
    keys: readKeys(state.keys),
    settings,
    issuedRequests: arrayOf<IssuedRequest>(state.issuedRequests, "issuedRequests"),
    seenAssertions: arrayOf<string>(state.seenAssertions, "seenAssertions"),
    sessions: arrayOf<Session>(state.sessions, "sessions"),
    validations: arrayOf<ValidationResult>(state.validations, "validations"),
    logoutEvents: arrayOf<LogoutEvent>(state.logoutEvents, "logoutEvents"),
  };
}
