import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import type { SourceGroup } from "../source/source.ts";

/**
 * Public groups (spec §5.4): a directory group in the channel's group scope becomes a Salesforce
 * group of type Regular, matched by name; its members are the group's members this connection
 * provisioned (the directory is authoritative for the group's membership); a group that leaves
 * the scope is deleted. Pure.
 */

export type GroupCase = {
  readonly sourceId: string;
  readonly source: SourceGroup | null;
  readonly state: ProvisionedObject | undefined;
  /** A Salesforce group with the same name, for a group the channel does not know yet. */
  readonly existing: { readonly id: string; readonly name: string } | undefined;
  /** Salesforce user ids of the members the connection provisioned and that are active. */
  readonly memberTargetIds: readonly string[];
  /**
   * The group's members in Salesforce among those the channel may have placed, read when the row
   * is in doubt (PENDING or FAILED); otherwise what was last pushed is trusted.
   */
  readonly currentMembers?: readonly string[] | undefined;
};

export type GroupOp =
  | {
      readonly type: "GROUP_CREATE";
      readonly sourceId: string;
      readonly name: string;
      readonly developerName: string;
      readonly members: readonly string[];
    }
  | {
      readonly type: "GROUP_MEMBERS";
      readonly sourceId: string;
      readonly targetId: string;
      readonly name: string;
      readonly add: readonly string[];
      readonly remove: readonly string[];
      /** The membership after this operation, recorded as pushed. */
      readonly members: readonly string[];
    }
  | {
      readonly type: "GROUP_DELETE";
      readonly sourceId: string;
      readonly targetId: string;
      readonly name: string;
    }
  | { readonly type: "GROUP_FORGET"; readonly sourceId: string };

/**
 * Salesforce's DeveloperName: letters, digits and single underscores, starting with a letter,
 * at most 80 characters.
 */
export const developerNameFor = (name: string): string => {
  const cleaned = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  const lettered = /^[A-Za-z]/.test(cleaned) ? cleaned : `G_${cleaned}`;
  return lettered.slice(0, 80).replace(/_$/, "") || "Group";
};

export const pushedMembers = (state: ProvisionedObject): readonly string[] => {
  const value = state.pushed.members;
  return Array.isArray(value) ? value : [];
};

export const planGroup = (c: GroupCase): GroupOp[] => {
  const wanted = [...new Set(c.memberTargetIds)].sort();
  if (!c.source) {
    if (c.state?.targetId)
      return [{ type: "GROUP_DELETE", sourceId: c.sourceId, targetId: c.state.targetId, name: c.state.name }];
    return c.state ? [{ type: "GROUP_FORGET", sourceId: c.sourceId }] : [];
  }
  const targetId = c.state?.targetId ?? c.existing?.id;
  if (!targetId) {
    return [
      {
        type: "GROUP_CREATE",
        sourceId: c.sourceId,
        name: c.source.name,
        developerName: developerNameFor(c.source.name),
        members: wanted,
      },
    ];
  }
  const current = c.currentMembers ?? (c.state ? pushedMembers(c.state) : []);
  const currentSet = new Set(current);
  const wantedSet = new Set(wanted);
  const add = wanted.filter((id) => !currentSet.has(id));
  const remove = current.filter((id) => !wantedSet.has(id));
  // Adopted, or in doubt (a write not recorded, or refused): the row is settled even with nothing to send.
  const settle = !c.state?.targetId || c.state.status !== "ACTIVE";
  if (add.length === 0 && remove.length === 0 && !settle) return [];
  return [
    {
      type: "GROUP_MEMBERS",
      sourceId: c.sourceId,
      targetId,
      name: c.source.name,
      add,
      remove,
      members: wanted,
    },
  ];
};
