import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";

/** Checks on a received message that depend on where and when it arrived, not on what it asks. */

/** Default clock skew tolerated on received messages (peers reference §B.5 rule 8). */
export const DEFAULT_SKEW_MS = 3 * 60 * 1000;

/**
 * `Destination` must be one of this endpoint's URLs, compared as exact strings (no case or port
 * normalisation: the SP wrote what it was configured with, and so do we). When the message is
 * signed it MUST be present (saml-bindings §3.4.5.2, §3.5.5.2), since it is what stops a message
 * signed for another IdP from being replayed here.
 */
export const checkDestination = (
  destination: string | undefined,
  expectedDestinations: readonly string[],
  isSigned: boolean,
): void => {
  if (destination === undefined) {
    if (!isSigned) return;
    throw new AppError("SAML_DESTINATION_MISMATCH", {
      message: "A signed message must carry a Destination.",
    });
  }
  if (!expectedDestinations.includes(destination)) {
    throw new AppError("SAML_DESTINATION_MISMATCH", {
      message: `The message's Destination ${JSON.stringify(snippet(destination, 200))} is not this endpoint.`,
    });
  }
};

/** `IssueInstant` within ± `skewMs` of `now`; SAML_REQUEST_EXPIRED otherwise. */
export const checkIssueInstant = (issueInstant: Date, now: Date, skewMs: number): void => {
  const drift = issueInstant.getTime() - now.getTime();
  if (Math.abs(drift) > skewMs) {
    throw new AppError("SAML_REQUEST_EXPIRED", {
      message:
        drift < 0
          ? `The message was issued at ${issueInstant.toISOString()}, more than ${skewMs / 1000} s ago.`
          : `The message claims to be issued at ${issueInstant.toISOString()}, more than ${skewMs / 1000} s ahead of this server's clock.`,
    });
  }
};
