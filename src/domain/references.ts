/**
 * PingFederate's ResourceLinks (`{id, location}`): a reference to another resource, whose
 * `location` is the admin-API URL of that resource on the server that wrote it. An import from
 * another PingFederate carries that server's URLs, so Portico drops every `location` it knows how
 * to compute when a document comes in and adds this server's when it goes out. A reference whose
 * kind Portico does not know keeps the `location` it was sent with.
 */

/** The key that holds a reference → the admin-API collection the referenced resource lives in. */
export const referenceCollections: Readonly<Record<string, string>> = {
  signingKeyPairRef: "keyPairs/signing",
  alternativeSigningKeyPairRefs: "keyPairs/signing",
  decryptionKeyPairRef: "keyPairs/signing",
  secondaryDecryptionKeyPairRef: "keyPairs/signing",
  sslAuthKeyPairRef: "keyPairs/sslClient",
  dataStoreRef: "dataStores",
  dataSource: "dataStores",
  authenticationPolicyContractRef: "authenticationPolicyContracts",
  idpAdapterRef: "idp/adapters",
  idpTokenProcessorRef: "idp/tokenProcessors",
  passwordCredentialValidatorRef: "passwordCredentialValidators",
};

type Link = { id: string; location?: string };

const isLink = (value: unknown): value is Link =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as { id?: unknown }).id === "string";

/** Calls `visit` on every known reference in the document, with its collection. */
const eachReference = (node: unknown, visit: (link: Link, collection: string) => void): void => {
  if (Array.isArray(node)) {
    for (const item of node) eachReference(item, visit);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    const collection = referenceCollections[key];
    if (collection !== undefined) {
      for (const candidate of Array.isArray(value) ? value : [value]) {
        if (isLink(candidate)) visit(candidate, collection);
      }
    }
    eachReference(value, visit);
  }
};

/** Drops the `location` of every known reference (in place): it is computed on the way out. */
export const stripLocations = (document: object): void => {
  eachReference(document, (link) => {
    delete link.location;
  });
};

/**
 * Sets the `location` of every known reference (in place) to its URL under `apiBase`
 * (`https://portico.example.com/pf-admin-api/v1`), whether or not the resource exists yet.
 */
export const addLocations = (document: object, apiBase: string): void => {
  eachReference(document, (link, collection) => {
    link.location = `${apiBase}/${collection}/${encodeURIComponent(link.id)}`;
  });
};
