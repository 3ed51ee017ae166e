import type { SpConnection } from "../../domain/sp-connection.ts";
import type { LiveSession } from "./sessions.ts";

/** What the runtime shows the browser next. */
export type SsoOutcome =
  | {
      kind: "post";
      connectionId: string;
      action: string;
      fields: { SAMLResponse: string; RelayState?: string | undefined };
      session: LiveSession;
    }
  | {
      /** A SAML error Response to a trusted ACS; no session is set. */
      kind: "post-error";
      connectionId: string;
      action: string;
      code: string;
      fields: { SAMLResponse: string; RelayState?: string | undefined };
    }
  | {
      kind: "login";
      /** The SP connection behind the form, when there is one. */
      connectionId?: string | undefined;
      resume: string;
      /** The sign-in cookie the form is bound to; the edge sets it with the form. */
      loginToken: string;
      partnerName?: string | undefined;
      error?: string | undefined;
      username?: string;
    }
  | { kind: "signed-in"; session: LiveSession };

export type ActiveConnection = SpConnection & { id: string };

/** The cookies a browser brought: its SSO session, and the one its sign-in forms are bound to. */
export type BrowserCookies = {
  readonly session: string | undefined;
  readonly login: string | undefined;
};
