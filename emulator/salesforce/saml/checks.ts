import { LOGIN_STATUS, type LoginStatus } from "./constants.ts";

/** One line of the SAML Assertion Validator's report. */
export type ValidationCheck = { name: string; ok: boolean; detail: string };

/** A check and the Login History status it produces when it fails. */
export type Check = ValidationCheck & { failStatus: LoginStatus };

/** Ends validation at a check that makes reading further meaningless (parse, signature). */
export class Stop extends Error {
  constructor(readonly check: Check) {
    super(check.detail);
  }
}

export function stop(failStatus: LoginStatus, name: string, detail: string): never {
  throw new Stop({ name, ok: false, detail, failStatus });
}

export function passed(name: string, detail: string): Check {
  return { name, ok: true, detail, failStatus: LOGIN_STATUS.success };
}

export function check(
  ok: boolean,
  failStatus: LoginStatus,
  name: string,
  okDetail: string,
  failDetail: string,
): Check {
  return { name, ok, detail: ok ? okDetail : failDetail, failStatus };
}

export function isNamed(element: Element | null | undefined, ns: string, local: string): element is Element {
  return !!element && element.namespaceURI === ns && element.localName === local;
}
