import { type TSchema, Type } from "@sinclair/typebox";
import { type AttributeInput, limits, uidPattern } from "../../services/directory/validation.ts";

/**
 * The built-in directory's documents on the admin API. A user is one flat LDAP-style document:
 * `uid`, `enabled`, `password` (write only), `groups`, and every other key an attribute (a
 * string, an array of strings, or null to remove it).
 */

const AttributeValue = Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()], {
  description: "an attribute: one value, several, or null (or []) to remove it",
});
const ShownAttribute = Type.Union([Type.String(), Type.Array(Type.String())]);
const Password = Type.String({
  minLength: 1,
  maxLength: limits.passwordMaxLength,
  description: `write only; at least ${limits.passwordMinLength} characters; stored as a scrypt hash`,
});
const GroupList = (description: string) =>
  Type.Array(Type.String({ maxLength: 128 }), { maxItems: 1000, description });
/** Fields of a user document the server computes: accepted when echoed, and ignored. */
const readOnly = {
  hasPassword: Type.Optional(Type.Boolean({ description: "read only" })),
  createdAt: Type.Optional(Type.String({ description: "read only" })),
  updatedAt: Type.Optional(Type.String({ description: "read only" })),
};

const flat = <T extends Record<string, TSchema>>(properties: T, description: string) =>
  Type.Object(properties, {
    additionalProperties: AttributeValue,
    maxProperties: limits.attributesPerUser + 10,
    description,
  });

export const UserBody = flat(
  {
    uid: Type.String({
      pattern: uidPattern,
      description: "the sign-in name; case is kept, and ignored in look-ups",
    }),
    password: Type.Optional(Password),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    groups: Type.Optional(GroupList("cns of existing groups to join")),
    ...readOnly,
  },
  'A user: e.g. {"uid":"ada","mail":"ada@acme.com","givenName":"Ada","sn":"Lovelace"}',
);

export const UserPatch = flat(
  {
    uid: Type.Optional(Type.String({ description: "ignored when it names this user; a uid cannot change" })),
    password: Type.Optional(
      Type.Union([Password, Type.Null()], { description: "null removes the password" }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    groups: Type.Optional(GroupList("replaces the memberships")),
    ...readOnly,
  },
  "Changes: attributes given replace those attributes, null removes one, absent ones stay",
);

export const UserView = Type.Object(
  {
    uid: Type.String(),
    enabled: Type.Boolean(),
    hasPassword: Type.Boolean(),
    groups: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  {
    additionalProperties: ShownAttribute,
    description: "A user; attributes flattened beside uid (one value a string, several an array)",
  },
);

export const UidParams = Type.Object(
  { uid: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export const CnParams = Type.Object(
  { cn: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export const MemberParams = Type.Object(
  { cn: Type.String({ minLength: 1, maxLength: 128 }), uid: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: "^[1-9][0-9]{0,3}$", description: `page size (default 100, at most 1000)` }),
    ),
    after: Type.Optional(Type.String({ maxLength: 128, description: "the last uid of the previous page" })),
    filter: Type.Optional(
      Type.String({ maxLength: 256, description: "part of the uid, mail or cn, any case" }),
    ),
  },
  { additionalProperties: false },
);

export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

export const ImportBody = Type.Union(
  [
    Type.String({ description: "text/csv" }),
    Type.Object({ csv: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  {
    description:
      "CSV as a text/csv body, or JSON {csv}. Header row: uid (required), password, enabled (true/false), groups (;-separated cns), and attribute columns (several values ;-separated).",
  },
);
export const ImportResult = Type.Object({
  imported: Type.Integer(),
  users: Type.Array(Type.String()),
  groupsCreated: Type.Array(Type.String()),
});

export const GroupBody = Type.Object(
  {
    cn: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    members: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), { description: "uids of existing users" }),
    ),
    createdAt: readOnly.createdAt,
    updatedAt: readOnly.updatedAt,
  },
  { additionalProperties: false },
);
export const GroupPatch = Type.Object(
  {
    cn: Type.Optional(Type.String({ description: "ignored when it names this group; a cn cannot change" })),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    members: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), { description: "replaces the members" }),
    ),
    createdAt: readOnly.createdAt,
    updatedAt: readOnly.updatedAt,
  },
  { additionalProperties: false },
);
export const GroupView = Type.Object({
  cn: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export type FlatUser = Record<string, unknown>;

/** Reserved keys out, attributes left: the body's split into what the service takes. */
export const attributesOf = (body: FlatUser): Record<string, AttributeInput> => {
  const {
    uid: _uid,
    password: _password,
    enabled: _enabled,
    groups: _groups,
    hasPassword: _hasPassword,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...attributes
  } = body;
  // The schema admits only strings, arrays of strings and null here.
  return attributes as Record<string, AttributeInput>;
};
