import { inflateRawSync } from "node:zlib";
import { AppError } from "../lib/errors.ts";

/**
 * Inflates raw DEFLATE data (RFC 1951, as the HTTP-Redirect binding carries `SAMLRequest`,
 * saml-bindings §3.4.4.1) and stops as soon as the output would exceed `maxOutputBytes`, so a
 * few kilobytes of deflate bomb cannot allocate gigabytes (CVE-2021-39171 in passport-saml).
 *
 * Throws XML_TOO_LARGE past the cap and XML_MALFORMED when the data is not valid DEFLATE.
 */
export const inflateRawCapped = (input: Uint8Array, maxOutputBytes: number): Buffer => {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 1) {
    throw new RangeError("maxOutputBytes must be a positive integer");
  }
  try {
    return inflateRawSync(input, { maxOutputLength: maxOutputBytes });
  } catch (cause) {
    if (cause instanceof RangeError || (cause as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new AppError("XML_TOO_LARGE", {
        message: `The XML document is too large: it inflates to more than ${maxOutputBytes} bytes.`,
        cause,
      });
    }
    throw new AppError("XML_MALFORMED", {
      message: "The message is not valid DEFLATE data.",
      cause,
    });
  }
};
