import { XMLSerializer } from "@xmldom/xmldom";
import { decrypt } from "xml-encryption";
import { descendants } from "./xml.ts";

const XENC = "http://www.w3.org/2001/04/xmlenc#";

// RSA PKCS#1 v1.5 key transport invites Bleichenbacher oracles and 3DES is retired; both are
// refused. AES-CBC stays allowed because salesforce-api.md §5.5 item 11 lists it as accepted.
const REFUSED = new Set([`${XENC}rsa-1_5`, `${XENC}tripledes-cbc`]);

/**
 * Decrypts a `<saml:EncryptedAssertion>` with the SP's private key and returns the
 * Assertion XML. The caller parses the result with the hardened parser.
 */
export function decryptAssertion(encryptedAssertion: Element, privateKeyPem: string): Promise<string> {
  for (const method of descendants(encryptedAssertion, XENC, "EncryptionMethod")) {
    const algorithm = method.getAttribute("Algorithm") ?? "";
    if (REFUSED.has(algorithm)) {
      return Promise.reject(new Error(`encryption algorithm ${algorithm} is not accepted`));
    }
  }
  const xml = new XMLSerializer().serializeToString(encryptedAssertion);
  return new Promise((resolve, reject) => {
    decrypt(
      xml,
      { key: privateKeyPem, disallowDecryptionWithInsecureAlgorithm: false, warnInsecureAlgorithm: false },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
