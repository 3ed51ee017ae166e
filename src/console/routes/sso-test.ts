import { Type } from "@sinclair/typebox";
import { isAppError } from "../../lib/errors.ts";
import { listConnections } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { signInSource } from "../../services/credential-validators/sign-in-source.ts";
import { testSso } from "../../services/sso/test-sso.ts";
import { actorOf, type ConsoleRoutes, sendPage, viewerOf } from "../request.ts";
import { type SsoTestForm, ssoTestPage } from "../views/sso-test.ts";

/**
 * /console/sso-test: the same use case as `portico sso test` and `POST /sso/test`, for a
 * connection and a directory user, with the users found as the sign-in form finds them (its
 * credential validators in order). Never asks for a usable assertion: the console shows verdicts.
 */

const Query = Type.Object({ connection: Type.Optional(Type.String({ maxLength: 1024 })) });
const TestForm = Type.Object({
  _csrf: Type.String(),
  connection: Type.String({ maxLength: 1024 }),
  username: Type.String({ maxLength: 256 }),
});

/** Where a refusal belongs on the form: the connection, the user, or above both. */
const fieldOf = (code: string): keyof NonNullable<SsoTestForm["errors"]> =>
  code.startsWith("CONN_")
    ? "connection"
    : code.startsWith("DIR_") || code === "SAML_SUBJECT_MISSING" || code.startsWith("LOGIN_")
      ? "username"
      : "other";

export const ssoTestRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const source = signInSource(context);
    const choices = async () =>
      (await listConnections(context))
        .filter((c) => c.spBrowserSso !== undefined)
        .map((c) => ({ entityId: c.entityId, name: c.name, active: c.active === true }))
        .sort((a, b) => a.name.localeCompare(b.name));

    app.get("/sso-test", { schema: { querystring: Query } }, async (request, reply) =>
      sendPage(
        reply,
        ssoTestPage({
          viewer: viewerOf(request),
          choices: await choices(),
          form: { connection: request.query.connection },
        }),
      ),
    );

    app.post("/sso-test", { schema: { body: TestForm } }, async (request, reply) => {
      const connection = request.body.connection.trim();
      const username = request.body.username.trim();
      const show = async (form: SsoTestForm, status: number, result?: Awaited<ReturnType<typeof testSso>>) =>
        sendPage(
          reply,
          ssoTestPage({ viewer: viewerOf(request), choices: await choices(), form, result }),
          status,
        );
      if (connection === "" || username === "")
        return show(
          {
            connection,
            username,
            errors: {
              ...(connection === "" ? { connection: "Choose the connection to test." } : {}),
              ...(username === "" ? { username: "Enter the username of a directory user." } : {}),
            },
          },
          400,
        );
      try {
        const result = await testSso(context, source, actorOf(request), {
          partnerSpId: connection,
          uid: username,
        });
        return show({ connection, username }, 200, result);
      } catch (error) {
        if (!isAppError(error) || !error.expose || error.status >= 500) throw error;
        return show(
          { connection, username, errors: { [fieldOf(error.code)]: `${error.message} (${error.code})` } },
          error.status,
        );
      }
    });
  };
