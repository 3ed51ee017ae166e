/**
 * Injected failures for retry and back-off tests: the next N matching calls fail as Salesforce
 * fails under load or maintenance, or hang past the client's timeout; plus an added latency.
 * A `slow` call is held, then carried out as usual: Salesforce finishes work whose client gave
 * up waiting, so a client that retries after a timeout may meet its own first attempt. A
 * `locked-record` fault fails records, not calls: the next N records an sObject Collections call
 * writes get UNABLE_TO_LOCK_ROW in their SaveResult (HTTP 200), as records another transaction
 * holds do, while the call's other records are saved.
 */

export const faultKinds = [
  "503",
  "500",
  "REQUEST_LIMIT_EXCEEDED",
  "UNABLE_TO_LOCK_ROW",
  "hang",
  "slow",
  "locked-record",
] as const;
export type FaultKind = (typeof faultKinds)[number];

export type Fault = {
  id: number;
  kind: FaultKind;
  remaining: number;
  /** Only calls with this method (any when absent). */
  method: string | null;
  /** Only calls whose path contains this (any REST or OAuth call when absent). */
  path: string | null;
  /** How long a `hang` holds the call before answering 503, or a `slow` one before carrying it out. */
  hangMs: number;
};

export type FaultResponse = { status: number; errorCode: string; message: string };

export function faultResponse(kind: Exclude<FaultKind, "hang" | "slow" | "locked-record">): FaultResponse {
  switch (kind) {
    case "503":
      return { status: 503, errorCode: "SERVER_UNAVAILABLE", message: "Server unavailable" };
    case "500":
      return {
        status: 500,
        errorCode: "UNKNOWN_EXCEPTION",
        message:
          "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
      };
    case "REQUEST_LIMIT_EXCEEDED":
      return { status: 403, errorCode: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded." };
    case "UNABLE_TO_LOCK_ROW":
      return {
        status: 400,
        errorCode: "UNABLE_TO_LOCK_ROW",
        message: "unable to obtain exclusive access to this record or 1 records: 0055g00000EmuLockAAA",
      };
  }
}

export class Faults {
  #faults: Fault[] = [];
  #nextId = 1;
  latencyMs = 0;

  add(spec: {
    kind: FaultKind;
    count: number;
    method?: string | null;
    path?: string | null;
    hangMs?: number;
  }): Fault {
    const fault: Fault = {
      id: this.#nextId++,
      kind: spec.kind,
      remaining: spec.count,
      method: spec.method?.toUpperCase() ?? null,
      path: spec.path ?? null,
      hangMs: spec.hangMs ?? 120_000,
    };
    this.#faults.push(fault);
    return fault;
  }

  /**
   * The fault this call (or, with `level` "record", this record of a collection) triggers, if
   * any; each use takes one of its count.
   */
  take(method: string, path: string, level: "call" | "record" = "call"): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.kind === "locked-record") === (level === "record") &&
        (f.method === null || f.method === method) &&
        (f.path === null || path.includes(f.path)),
    );
    if (fault === undefined) return undefined;
    fault.remaining--;
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    return fault;
  }

  list(): { latencyMs: number; faults: Fault[] } {
    return { latencyMs: this.latencyMs, faults: this.#faults.map((f) => ({ ...f })) };
  }

  clear(): void {
    this.#faults = [];
    this.latencyMs = 0;
  }
}
