import { type Static, Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { listGroups } from "../../services/directory/groups.ts";
import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  getUser,
  updateUser,
} from "../../services/directory/users.ts";
import type { UserView } from "../../services/directory/views.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { newUserHref } from "../views/directory.ts";
import { type UserForm, userAttributes, userPage } from "../views/directory-user.ts";
import { formErrorsOf } from "../views/format.ts";

const text = Type.String({ maxLength: 1024 });
const UserBody = Type.Object({
  _csrf: Type.String({ maxLength: 200 }),
  uid: Type.String({ maxLength: 256 }),
  givenName: text,
  sn: text,
  cn: text,
  mail: text,
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  groups: Type.Optional(
    Type.Union([Type.String({ maxLength: 128 }), Type.Array(Type.String({ maxLength: 128 }))]),
  ),
  enabled: Type.Optional(Type.Literal("on")),
});
const Uid = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 128 }) });

const first = (value: string | string[] | boolean | undefined) =>
  Array.isArray(value) ? (value[0] ?? "") : typeof value === "string" ? value : "";

const formOf = (user: UserView): UserForm => ({
  uid: user.uid,
  attributes: {
    givenName: first(user.givenName),
    sn: first(user.sn),
    cn: first(user.cn),
    mail: first(user.mail),
  },
  groups: user.groups,
  enabled: user.enabled,
  errors: {},
});

const typed = (body: Static<typeof UserBody>): UserForm => ({
  uid: body.uid.trim(),
  attributes: {
    givenName: body.givenName.trim(),
    sn: body.sn.trim(),
    cn: body.cn.trim(),
    mail: body.mail.trim(),
  },
  groups: body.groups === undefined ? [] : typeof body.groups === "string" ? [body.groups] : body.groups,
  enabled: body.enabled === "on",
  errors: {},
});

/** "groups[2]" and "mail[0]" are the groups and mail fields. */
const errorsByField = (error: unknown) =>
  Object.fromEntries(
    Object.entries(formErrorsOf(error, { DIR_USER_EXISTS: "uid" })).map(([field, message]) => [
      field.replace(/\[\d+\]$/, ""),
      message,
    ]),
  );

/** A user of the built-in directory: create, edit (attributes, password, groups), disable, delete. */
export const directoryUserRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      form: UserForm,
      existing: UserView | undefined,
      status = 200,
    ) =>
      sendPage(
        reply,
        userPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          existing,
          form,
          allGroups: (await listGroups(context)).map((g) => g.cn),
        }),
        status,
      );

    // Under /directory/users/ every name is a uid (a user may be called "new"): the form is apart.
    app.get("/directory/new-user", async (request, reply) =>
      show(
        request,
        reply,
        {
          uid: "",
          attributes: { givenName: "", sn: "", cn: "", mail: "" },
          groups: [],
          enabled: true,
          errors: {},
        },
        undefined,
      ),
    );

    app.post("/directory/users", { schema: { body: UserBody } }, async (request, reply) => {
      const form = typed(request.body);
      const attributes = Object.fromEntries(
        userAttributes
          .filter((a) => form.attributes[a.name] !== "")
          .map((a) => [a.name, form.attributes[a.name]]),
      );
      try {
        await createUser(context, actorOf(request), {
          uid: form.uid,
          password: request.body.password ? request.body.password : undefined,
          enabled: form.enabled,
          attributes,
          groups: form.groups,
        });
      } catch (error) {
        return show(request, reply, { ...form, errors: errorsByField(error) }, undefined, 422);
      }
      return redirectWithNotice(
        request,
        reply,
        `/console/directory/users/${encodeURIComponent(form.uid)}`,
        `User "${form.uid}" created.`,
      );
    });

    app.get("/directory/users/:uid", { schema: { params: Uid } }, async (request, reply) => {
      const user = await getUser(context, request.params.uid).catch((error: unknown) => {
        // The create form's old address, kept for bookmarks while no user is called "new".
        if (request.params.uid === "new" && isAppError(error) && error.code === "DIR_USER_NOT_FOUND")
          return undefined;
        throw error;
      });
      if (user === undefined) return reply.redirect(newUserHref, 302);
      return show(request, reply, formOf(user), user);
    });

    app.post("/directory/users/:uid", { schema: { params: Uid, body: UserBody } }, async (request, reply) => {
      const user = await getUser(context, request.params.uid);
      const form = { ...typed(request.body), uid: user.uid };
      // An emptied field removes the attribute.
      const attributes = Object.fromEntries(
        userAttributes.map((a) => [a.name, form.attributes[a.name] === "" ? null : form.attributes[a.name]]),
      );
      try {
        await updateUser(context, actorOf(request), user.uid, {
          attributes,
          groups: form.groups,
          ...(request.body.password ? { password: request.body.password } : {}),
        });
      } catch (error) {
        return show(request, reply, { ...form, errors: errorsByField(error) }, user, 422);
      }
      return redirectWithNotice(
        request,
        reply,
        `/console/directory/users/${encodeURIComponent(user.uid)}`,
        `User "${user.uid}" saved.`,
      );
    });

    for (const [action, change, done] of [
      ["enable", enableUser, "enabled"],
      ["disable", disableUser, "disabled: they can no longer sign in"],
    ] as const) {
      app.post(`/directory/users/:uid/${action}`, { schema: { params: Uid } }, async (request, reply) => {
        const user = await change(context, actorOf(request), request.params.uid);
        return redirectWithNotice(
          request,
          reply,
          `/console/directory/users/${encodeURIComponent(user.uid)}`,
          `User "${user.uid}" ${done}.`,
        );
      });
    }

    app.post("/directory/users/:uid/delete", { schema: { params: Uid } }, async (request, reply) => {
      await deleteUser(context, actorOf(request), request.params.uid);
      return redirectWithNotice(
        request,
        reply,
        "/console/directory",
        `User "${request.params.uid}" deleted.`,
      );
    });
  };
