import { isObject, type JsonObject, text } from "./common.ts";

/** How `portico provision …` shows cycles, counts and steps to people (scripts use --json). */

const objectOf = (value: unknown): JsonObject => (isObject(value) ? value : {});

/** `CREATE 3, UPDATE 1`, or "nothing" when no operation counted. */
export const countsText = (counts: unknown): string => {
  const entries = Object.entries(objectOf(counts)).filter(([, n]) => typeof n === "number" && n > 0);
  return entries.length === 0 ? "nothing" : entries.map(([type, n]) => `${type} ${String(n)}`).join(", ");
};

export const channelLabel = (connectionId: unknown, channel: unknown) =>
  `${text(connectionId)}/${text(channel)}`;

/** A cycle's answer (`{summary, state}`): what it did, and where the channel stands after it. */
export const cycleLines = (label: string, result: JsonObject, confirmHint: string): string => {
  const summary = objectOf(result.summary);
  const state = objectOf(result.state);
  const status = text(state.status);
  return [
    `${label}: ${text(summary.kind)} cycle ended ${status}`,
    `  operations  ${countsText(summary.counts)}`,
    `  failures    ${text(summary.failures, "0")}`,
    `  API calls   ${text(summary.apiCalls, "0")}`,
    ...(typeof state.statusReason === "string" ? [`  why         ${state.statusReason}`] : []),
    ...(status === "HELD" ? [`  confirm with: ${confirmHint}`] : []),
    "",
  ].join("\n");
};

const valueText = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null))
    return value.map(String).join(";");
  return JSON.stringify(value);
};

/** Objects whose entries read best without their name in front: an operation's Salesforce fields. */
const unprefixed = new Set(["fields", "user"]);

/**
 * `key=value …` of a plain object: nested objects flattened (`contact.accountId=…`, but a
 * `fields` or `user` object as its own fields), arrays of words joined by `;`.
 */
export const pairsText = (value: unknown, prefix = ""): string =>
  Object.entries(objectOf(value))
    .map(([key, v]) => {
      if (!isObject(v)) return `${prefix}${key}=${valueText(v)}`;
      return pairsText(v, prefix === "" && unprefixed.has(key) ? "" : `${prefix}${key}.`);
    })
    .filter((pair) => pair !== "")
    .join(" ");

/**
 * One field of the mapping trace: `Alias = a lovelace ← expression Left(…) → "A Lovelace";
 * givenName="Ada"; trim → "A Lovelace"; case → "a lovelace"`.
 */
const traceText = (field: JsonObject): string => {
  const values = (v: unknown) =>
    Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(", ") : JSON.stringify(v);
  const parts: string[] = [];
  if (typeof field.expression === "string")
    parts.push(
      `expression ${field.expression} → ${Array.isArray(field.expressionResult) ? values(field.expressionResult) : "-"}`,
    );
  for (const source of Array.isArray(field.sources) ? field.sources.filter(isObject) : [])
    parts.push(
      `${String(source.attribute)}=${Array.isArray(source.values) && source.values.length > 0 ? values(source.values) : "(none)"}`,
    );
  if (field.from === "default") parts.push(`default ${values(field.defaultValue)}`);
  for (const step of Array.isArray(field.steps) ? field.steps.filter(isObject) : [])
    parts.push(`${String(step.step)} → ${values(step.value)}`);
  if (isObject(field.error)) parts.push(`${String(field.error.code)}: ${String(field.error.message)}`);
  const value = field.value === null || field.value === undefined ? "(no value)" : values(field.value);
  return `${String(field.field)} = ${value} ← ${parts.join("; ")}`;
};

/** The steps of provisioning one user, one line each (the plan one line per operation). */
export const stepLines = (steps: unknown): string => {
  const lines: string[] = [];
  for (const step of Array.isArray(steps) ? steps.filter(isObject) : []) {
    const name = text(step.step);
    const detail = objectOf(step.detail);
    const nested = Array.isArray(detail.operations)
      ? detail.operations
      : Array.isArray(detail.outcomes)
        ? detail.outcomes
        : undefined;
    if (name === "trace" && Array.isArray(detail.fields)) {
      for (const field of detail.fields.filter(isObject)) lines.push(`${name.padEnd(7)} ${traceText(field)}`);
      continue;
    }
    if (nested === undefined) {
      lines.push(`${name.padEnd(7)} ${pairsText(detail)}`);
      continue;
    }
    if (nested.length === 0) lines.push(`${name.padEnd(7)} nothing to do`);
    for (const op of nested) lines.push(`${name.padEnd(7)} ${pairsText(op)}`);
  }
  return `${lines.join("\n")}\n`;
};
