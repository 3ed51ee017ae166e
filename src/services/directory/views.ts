import type { DirectoryGroup, DirectoryUser } from "../../domain/ports.ts";
import { type AttributeInput, reservedNames } from "./validation.ts";

/** The directory's inputs, and the views the API and CLI show. */
export type CreateUserInput = {
  readonly uid: string;
  readonly password?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly attributes?: Readonly<Record<string, AttributeInput>> | undefined;
  /** cns of existing groups to join. */
  readonly groups?: readonly string[] | undefined;
};

/** PATCH semantics: what is given replaces; absent keys stay; a null attribute or password is removed. */
export type UpdateUserInput = {
  /** When given (a client echoing the document), it must name this user: a uid cannot change. */
  readonly uid?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly password?: string | null | undefined;
  readonly attributes?: Readonly<Record<string, AttributeInput>> | undefined;
  /** Replaces the user's memberships. */
  readonly groups?: readonly string[] | undefined;
};

export type CreateGroupInput = {
  readonly cn: string;
  readonly description?: string | null | undefined;
  readonly members?: readonly string[] | undefined;
};

export type UpdateGroupInput = {
  /** When given, it must name this group: a cn cannot change. */
  readonly cn?: string | undefined;
  readonly description?: string | null | undefined;
  /** Replaces the members. */
  readonly members?: readonly string[] | undefined;
};

/**
 * A user as the admin API shows it: attributes flattened beside `uid` (one value as a string,
 * several as an array), never the password hash.
 */
export type UserView = {
  uid: string;
  enabled: boolean;
  hasPassword: boolean;
  groups: string[];
  createdAt: string;
  updatedAt: string;
  [attribute: string]: string | string[] | boolean;
};

export type GroupView = {
  cn: string;
  description: string | null;
  members: string[];
  createdAt: string;
  updatedAt: string;
};

/** The API's view of a user: flattened attributes, groups, `hasPassword`; never the hash. */
export const userView = (user: DirectoryUser, groups: readonly string[]): UserView => {
  const view: UserView = {
    uid: user.uid,
    enabled: user.enabled,
    hasPassword: user.passwordHash !== null,
    groups: [...groups],
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
  for (const [name, values] of Object.entries(user.attributes)) {
    // Reserved keys are refused as attribute names, so nothing here can shadow them.
    if (reservedNames.has(name.toLowerCase()) || values.length === 0) continue;
    view[name] = values.length === 1 ? (values[0] ?? "") : [...values];
  }
  return view;
};

export const groupView = (group: DirectoryGroup): GroupView => ({
  cn: group.cn,
  description: group.description,
  members: [...group.members],
  createdAt: group.createdAt,
  updatedAt: group.updatedAt,
});
