import { Type } from "@sinclair/typebox";
import type { AuthenticationSource } from "../../domain/ports.ts";
import type { ServiceContext } from "../../services/context.ts";
import { testSso } from "../../services/sso/test-sso.ts";
import { principalOf } from "./principal.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * `POST /sso/test`: the Response a user would get from a connection, and whether the SP would
 * accept it; the user is found through the sign-in form's Credential Validators, as at sign-in. Portico's own resource; a POST because it signs with the connection's key (and
 * so needs X-XSRF-Header), although it stores nothing but an audit event. The Response returned is
 * signed with a throwaway key unless an ADMIN account asks for a usable one (see test-sso.ts).
 */

const TestBody = Type.Object(
  {
    partnerSpId: Type.String({ minLength: 1, maxLength: 1024, description: "the SP connection's entity ID" }),
    uid: Type.String({
      minLength: 1,
      maxLength: 256,
      description:
        "the username, found as the sign-in form finds it: through its Credential Validators in order (built-in directory, LDAP search; no password)",
    }),
    acsIndex: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: "an ACS by index; the default ACS if absent" }),
    ),
    allowUsableAssertion: Type.Optional(
      Type.Boolean({
        description:
          "sign the Response with the connection's key, so that it signs the user in at the SP: ADMIN accounts with a password only (not API tokens), audited as sso.test.usableAssertion; otherwise a throwaway key signs it",
      }),
    ),
  },
  { additionalProperties: false },
);

const Text = Type.Union([Type.String(), Type.Null()]);

const Check = Type.Object({
  name: Type.String({ description: "e.g. Signature, Issuer, Audience, Recipient, Validity window" }),
  ok: Type.Boolean(),
  detail: Type.String({ description: "what was found, in words a Salesforce admin understands" }),
  warning: Type.Union([Type.String(), Type.Null()], { description: "passes, but deserves attention" }),
});

const Signature = Type.Object({
  on: Type.Union([Type.Literal("Response"), Type.Literal("Assertion")]),
  algorithm: Text,
  verified: Type.Boolean(),
  problem: Text,
  certificateSha256: Text,
});

const Assertion = Type.Object(
  {
    encrypted: Type.Boolean(),
    id: Text,
    issueInstant: Text,
    issuer: Text,
    nameId: Text,
    nameIdFormat: Text,
    subjectConfirmation: Type.Union([
      Type.Object({
        method: Text,
        recipient: Text,
        notBefore: Text,
        notOnOrAfter: Text,
        inResponseTo: Text,
      }),
      Type.Null(),
    ]),
    notBefore: Text,
    notOnOrAfter: Text,
    audiences: Type.Array(Type.String()),
    authnInstant: Text,
    sessionIndex: Text,
    authnContextClassRef: Text,
    attributes: Type.Array(
      Type.Object({ name: Type.String(), nameFormat: Text, values: Type.Array(Type.String()) }),
    ),
  },
  { description: "only `encrypted` is known of an EncryptedAssertion" },
);

const ValidatorRef = {
  validator: Type.String({
    description: "the validator's id in the sign-in form; PorticoDirectory is the built-in directory",
  }),
  name: Type.String(),
  dataStore: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()], {
    description: "the LDAP data store searched; null for the built-in directory",
  }),
};

const TestResult = Type.Object({
  connection: Type.Object({
    id: Type.String(),
    name: Type.String(),
    entityId: Type.String(),
    active: Type.Boolean(),
  }),
  user: Type.String(),
  foundBy: Type.Object(ValidatorRef, { description: "the credential validator that found the user" }),
  searched: Type.Array(
    Type.Object({
      ...ValidatorRef,
      outcome: Type.Union([Type.Literal("FOUND"), Type.Literal("NOT_FOUND"), Type.Literal("UNAVAILABLE")]),
      code: Type.Union([Type.String(), Type.Null()], {
        description: "why an UNAVAILABLE validator could not search",
      }),
    }),
    { description: "the sign-in form's validators asked, in order, up to the one that found the user" },
  ),
  acsUrl: Type.String(),
  relayState: Type.Null(),
  xml: Type.String({
    description:
      "the Response exactly as signed; by default with a throwaway key, so that no SP accepts it (see usable)",
  }),
  prettyXml: Type.String({ description: "an indented copy for reading; its signatures no longer verify" }),
  usable: Type.Boolean({
    description: "whether xml is signed with the connection's key, so that the SP would accept it",
  }),
  notice: Type.String({ description: "what xml is signed with and what it can do, in words" }),
  summary: Type.Object({
    id: Text,
    issueInstant: Text,
    destination: Text,
    inResponseTo: Text,
    issuer: Text,
    issuerFormat: Text,
    status: Text,
    statusMessage: Text,
    signatures: Type.Array(Signature),
    assertionCount: Type.Integer(),
    assertion: Type.Union([Assertion, Type.Null()]),
  }),
  checks: Type.Array(Check),
  ok: Type.Boolean({ description: "whether every check passes" }),
  jit: Type.Union(
    [
      Type.Object({
        attributes: Type.Array(Type.Object({ name: Type.String(), values: Type.Array(Type.String()) })),
        missing: Type.Array(Type.String(), {
          description: "required JIT attributes the user has no value for",
        }),
      }),
      Type.Null(),
    ],
    {
      description:
        "the Salesforce Just-in-Time provisioning attributes (User.*, Contact.*, Account.*) the user would send; null when the connection does not send any",
    },
  ),
});

export const ssoTestRoutes =
  (context: ServiceContext, source: AuthenticationSource): AdminRoutes =>
  async (api) => {
    api.post(
      "/sso/test",
      {
        schema: {
          tags: ["SSO"],
          summary: "Build the Response a user would get from an SP connection and check it as the SP would",
          body: TestBody,
          response: { 200: TestResult, ...problems },
        },
      },
      async (request) => {
        const body = request.body;
        return testSso(context, source, principalOf(request), {
          partnerSpId: body.partnerSpId,
          uid: body.uid,
          acsIndex: body.acsIndex,
          allowUsableAssertion: body.allowUsableAssertion,
        });
      },
    );
  };
