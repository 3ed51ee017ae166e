import { escapeXml as esc } from "./xml.ts";

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

/** Shown after a successful SAML login, in place of the Lightning home page. */
export function signedInPage(input: {
  username: string;
  userId: string;
  orgId: string;
  redirectTo?: string;
  relayState?: string;
  redirectError?: string;
}): string {
  const landing =
    input.redirectError !== undefined
      ? `<p id="redirect-error">${esc(input.redirectError)}: ${esc(input.relayState ?? "")}</p>`
      : `<p>Would redirect to <a id="redirect-to" href="${esc(input.redirectTo ?? "")}">${esc(input.redirectTo ?? "")}</a></p>`;
  return page(
    "Signed in",
    `<p>Signed in as <span id="username">${esc(input.username)}</span> (user <span id="user-id">${esc(input.userId)}</span>) in org <span id="org-id">${esc(input.orgId)}</span>.</p>${landing}`,
  );
}

/** Salesforce's "Single Sign-On Error" page; the status is what Login History shows. */
export function ssoErrorPage(status: string, detail: string): string {
  return page(
    "Single Sign-On Error",
    `<p>We can't log you in because of an issue with single sign-on.</p><p>Status: <span id="status">${esc(status)}</span></p><p id="detail">${esc(detail)}</p>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p id="message">${esc(message)}</p>`);
}
