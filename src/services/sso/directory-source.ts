import type { AuthenticatedSubject, AuthenticationSource, DirectoryUser } from "../../domain/ports.ts";
import type { ServiceContext } from "../context.ts";
import { authenticateUser } from "../directory/users.ts";

/** A directory user as the protocol sees them: LDAP-style attributes plus `uid` and `memberOf`. */
const subjectOf = (user: DirectoryUser, groups: readonly string[]): AuthenticatedSubject => ({
  uid: user.uid,
  attributes: { ...user.attributes, uid: [user.uid], memberOf: [...groups] },
});

/** The built-in directory behind the authentication-source port. */
export const directoryAuthenticationSource = (context: ServiceContext): AuthenticationSource => ({
  authenticate: async (username, password) => {
    const user = await authenticateUser(context, username, password);
    return user && subjectOf(user, await context.store.directory.groupsOf(user.uid));
  },
  lookup: async (uid) => {
    const user = await context.store.directory.getUser(uid);
    if (!user?.enabled) return undefined;
    return subjectOf(user, await context.store.directory.groupsOf(uid));
  },
});
