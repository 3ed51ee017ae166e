import { html, type SafeHtml } from "../../http/html.ts";

/** Who is looking at a page, and the form token their forms carry. */
export type Viewer = {
  readonly username: string;
  readonly role: "ADMIN" | "AUDITOR";
  readonly csrfToken: string;
};

/** The console's sections, in the order of the navigation. */
export const sections = [
  { path: "/console/connections", label: "SP Connections" },
  { path: "/console/keys", label: "Signing Keys" },
  { path: "/console/directory", label: "Directory" },
  { path: "/console/datastores", label: "Data Stores" },
  { path: "/console/provisioning", label: "Provisioning" },
  { path: "/console/audit", label: "Audit Log" },
  { path: "/console/sso-test", label: "SSO Test" },
  { path: "/console/accounts", label: "Accounts" },
] as const;

export type SectionPath = (typeof sections)[number]["path"];

/** The hidden field every state-changing form carries. */
export const csrfField = (viewer: Viewer): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${viewer.csrfToken}">`;

const head = (title: string) =>
  html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<title>${title} · Portico</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/htmx.min.js" defer></script>
<script src="/console/assets/console.js" defer></script>
</head>`;

/** A page of the signed-in console: the header, the navigation, a notice, and the content. */
export const consolePage = (options: {
  title: string;
  viewer: Viewer;
  section?: SectionPath | undefined;
  notice?: string | undefined;
  body: SafeHtml;
}): string =>
  html`${head(options.title)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/console">Portico</a>
<nav aria-label="Sections"><ul>
${sections.map(
  (s) =>
    html`<li><a href="${s.path}"${s.path === options.section ? html` aria-current="page"` : ""}>${s.label}</a></li>`,
)}
</ul></nav>
<form class="who" method="post" action="/console/signout">
${csrfField(options.viewer)}
<span>${options.viewer.username}${options.viewer.role === "AUDITOR" ? html` <span class="badge">auditor</span>` : ""}</span>
<button type="submit" class="link">Sign out</button>
</form>
</header>
<main id="main" tabindex="-1">
${options.notice ? html`<div class="notice" role="status">${options.notice}</div>` : ""}
<h1>${options.title}</h1>
${options.body}
</main>
</body></html>`.__html;

/** A page outside a session: the sign-in form, or an error met before signing in. */
export const barePage = (title: string, body: SafeHtml): string =>
  html`${head(title)}
<body class="bare"><main id="main">
<p class="brand">Portico</p>
<h1>${title}</h1>
${body}
</main></body></html>`.__html;
