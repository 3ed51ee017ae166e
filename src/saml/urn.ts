/**
 * SAML 2.0 and XML Security identifiers, verbatim from the specifications. Code names an
 * identifier through these objects, never by retyping the string.
 */

/** XML namespaces (saml-core §1.2, saml-metadata §1.2, xmldsig-core, xmlenc-core). */
export const ns = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  xmldsig: "http://www.w3.org/2000/09/xmldsig#",
  xmlenc: "http://www.w3.org/2001/04/xmlenc#",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xs: "http://www.w3.org/2001/XMLSchema",
  xml: "http://www.w3.org/XML/1998/namespace",
  xmlns: "http://www.w3.org/2000/xmlns/",
} as const;

/** Protocol bindings (saml-bindings §3). */
export const binding = {
  httpPost: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
  httpRedirect: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
  httpArtifact: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact",
  soap: "urn:oasis:names:tc:SAML:2.0:bindings:SOAP",
  paos: "urn:oasis:names:tc:SAML:2.0:bindings:PAOS",
} as const;
export type BindingUri = (typeof binding)[keyof typeof binding];

/** NameID formats (saml-core §8.3). */
export const nameIdFormat = {
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  emailAddress: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  x509SubjectName: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
  windowsDomainQualifiedName: "urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName",
  kerberos: "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos",
  entity: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  encrypted: "urn:oasis:names:tc:SAML:2.0:nameid-format:encrypted",
} as const;
export type NameIdFormatUri = (typeof nameIdFormat)[keyof typeof nameIdFormat];

/** Top-level status codes (saml-core §3.2.2.2). */
export const statusCode = {
  success: "urn:oasis:names:tc:SAML:2.0:status:Success",
  requester: "urn:oasis:names:tc:SAML:2.0:status:Requester",
  responder: "urn:oasis:names:tc:SAML:2.0:status:Responder",
  versionMismatch: "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
} as const;
export type StatusCodeUri = (typeof statusCode)[keyof typeof statusCode];

/** Second-level status codes, nested under a top-level one (saml-core §3.2.2.2). */
export const subStatusCode = {
  authnFailed: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
  invalidAttrNameOrValue: "urn:oasis:names:tc:SAML:2.0:status:InvalidAttrNameOrValue",
  invalidNameIdPolicy: "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy",
  noAuthnContext: "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext",
  noAvailableIdp: "urn:oasis:names:tc:SAML:2.0:status:NoAvailableIDP",
  noPassive: "urn:oasis:names:tc:SAML:2.0:status:NoPassive",
  noSupportedIdp: "urn:oasis:names:tc:SAML:2.0:status:NoSupportedIDP",
  partialLogout: "urn:oasis:names:tc:SAML:2.0:status:PartialLogout",
  proxyCountExceeded: "urn:oasis:names:tc:SAML:2.0:status:ProxyCountExceeded",
  requestDenied: "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
  requestUnsupported: "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported",
  requestVersionDeprecated: "urn:oasis:names:tc:SAML:2.0:status:RequestVersionDeprecated",
  requestVersionTooHigh: "urn:oasis:names:tc:SAML:2.0:status:RequestVersionTooHigh",
  requestVersionTooLow: "urn:oasis:names:tc:SAML:2.0:status:RequestVersionTooLow",
  resourceNotRecognized: "urn:oasis:names:tc:SAML:2.0:status:ResourceNotRecognized",
  tooManyResponses: "urn:oasis:names:tc:SAML:2.0:status:TooManyResponses",
  unknownAttrProfile: "urn:oasis:names:tc:SAML:2.0:status:UnknownAttrProfile",
  unknownPrincipal: "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal",
  unsupportedBinding: "urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding",
} as const;
export type SubStatusCodeUri = (typeof subStatusCode)[keyof typeof subStatusCode];

/** Subject confirmation methods (saml-profiles §3). */
export const confirmationMethod = {
  bearer: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
  holderOfKey: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
  senderVouches: "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches",
} as const;

/** Authentication context classes (saml-authn-context §3.4). */
export const authnContextClass = {
  unspecified: "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
  password: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
  passwordProtectedTransport: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
  x509: "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
  kerberos: "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos",
} as const;

/** Attribute NameFormat values (saml-core §8.2). */
export const attrnameFormat = {
  unspecified: "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
  basic: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
  uri: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
} as const;

/** Logout reasons (saml-core §3.7.3). */
export const logoutReason = {
  user: "urn:oasis:names:tc:SAML:2.0:logout:user",
  admin: "urn:oasis:names:tc:SAML:2.0:logout:admin",
} as const;

/** Signature algorithms (xmldsig-core §6.4, RFC 6931 §2.3). */
export const signatureAlgorithm = {
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha384: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
  rsaSha512: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  ecdsaSha256: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
  ecdsaSha384: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
  ecdsaSha512: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
} as const;
export type SignatureAlgorithmUri = (typeof signatureAlgorithm)[keyof typeof signatureAlgorithm];

/** Digest algorithms (xmldsig-core §6.2, xmlenc-core §5.7, RFC 6931 §2.1). */
export const digestAlgorithm = {
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha384: "http://www.w3.org/2001/04/xmldsig-more#sha384",
  sha512: "http://www.w3.org/2001/04/xmlenc#sha512",
} as const;
export type DigestAlgorithmUri = (typeof digestAlgorithm)[keyof typeof digestAlgorithm];

/** Canonicalization methods and transforms (xml-exc-c14n, xmldsig-core §6.6.4). */
export const transform = {
  exclusiveC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  exclusiveC14nWithComments: "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
  envelopedSignature: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
} as const;

/** Block and key-transport algorithms for encrypted assertions (xmlenc-core §5, xmlenc-core1 §5). */
export const encryptionAlgorithm = {
  aes128Cbc: "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
  aes256Cbc: "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
  aes128Gcm: "http://www.w3.org/2009/xmlenc11#aes128-gcm",
  aes256Gcm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  rsaOaepMgf1p: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  rsaOaep: "http://www.w3.org/2009/xmlenc11#rsa-oaep",
} as const;
