import { readFileSync } from "node:fs";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import type { TestServer } from "./server.ts";

export const salesforceMetadata = () =>
  readFileSync(new URL("../fixtures/metadata/SAMLSP-0LE5g000000CaJx.xml", import.meta.url));

export const orgAcs = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
export const communityAcs = "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm";
export const spEntityId = "https://acme.my.salesforce.com";

/** Creates an active Salesforce connection from the SAMLSP fixture, with optional edits. */
export const createSalesforceConnection = async (
  server: TestServer,
  edit: (c: SpConnection) => void = () => {},
): Promise<SpConnection> => {
  const converted = await server.request("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: salesforceMetadata().toString("base64"),
    templateId: "salesforce-provisioner",
  });
  const connection = converted.json().connection as SpConnection;
  connection.id = "salesforce";
  connection.active = true;
  edit(connection);
  const created = await server.request("POST", "/idp/spConnections", connection);
  if (created.statusCode !== 201) throw new Error(`connection not created: ${created.body}`);
  return created.json() as SpConnection;
};

export const createDirectoryUser = async (
  server: TestServer,
  user: Record<string, unknown> = {
    uid: "ada",
    password: "ada-password-1",
    mail: "ada@acme.example.com",
    givenName: "Ada",
    sn: "Lovelace",
  },
) => {
  const created = await server.request("POST", "/directory/users", user);
  if (created.statusCode !== 201) throw new Error(`user not created: ${created.body}`);
};

/** A browser's cookie jar, just enough for the runtime's session cookie. */
export const cookieJar = () => {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    take: (response: LightMyRequestResponse) => {
      for (const c of response.cookies) {
        // Clearing sets an empty value; expiry dates are left alone (tests move their own clock).
        if (c.value === "") cookies.delete(c.name);
        else cookies.set(c.name, c.value);
      }
    },
    get: (name: string) => cookies.get(name),
  };
};

/**
 * A request from a browser: it carries the jar's cookies and keeps the ones the response sets,
 * as a browser does (the sign-in form is bound to the cookie set with it).
 */
export const browserInject = async (
  app: FastifyInstance,
  jar: ReturnType<typeof cookieJar>,
  request: {
    method: "GET" | "POST";
    url: string;
    form?: Record<string, string> | undefined;
    remoteAddress?: string | undefined;
    headers?: Record<string, string> | undefined;
  },
): Promise<LightMyRequestResponse> => {
  const response = await app.inject({
    method: request.method,
    url: request.url,
    headers: {
      cookie: jar.header(),
      ...(request.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      ...request.headers,
    },
    ...(request.form ? { payload: new URLSearchParams(request.form).toString() } : {}),
    ...(request.remoteAddress ? { remoteAddress: request.remoteAddress } : {}),
  });
  jar.take(response);
  return response;
};

/** Fills in and posts the sign-in form that `page` shows. */
export const submitSignInForm = (
  app: FastifyInstance,
  jar: ReturnType<typeof cookieJar>,
  page: string,
  username: string,
  password: string,
  remoteAddress?: string,
) =>
  browserInject(app, jar, {
    method: "POST",
    url: "/idp/login",
    form: { resume: readPostForm(page).resume ?? "", username, password },
    remoteAddress,
  });

/** The hidden fields and action of the auto-POST form. */
export const readPostForm = (html: string) => {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  const decode = (text: string | undefined) =>
    text
      ?.replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  return {
    action: decode(action),
    samlResponse: decode(field("SAMLResponse")),
    relayState: decode(field("RelayState")),
    resume: decode(field("resume")),
  };
};
