import { escapeHtml as e } from './http.js';

/** Plain HTML, no script: the consent and My Apps pages must work with JavaScript off. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Intuit (local emulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
header{border-bottom:3px solid #2ca01c;margin-bottom:1.5rem}
fieldset{border:1px solid #ccc;border-radius:6px;padding:1rem}
label{display:block;margin:.4rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:4px;border:1px solid #2ca01c;cursor:pointer}
button.primary{background:#2ca01c;color:#fff}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
.note{color:#666;font-size:.9rem}
</style>
</head>
<body>
<header><p><strong>intuit</strong> QuickBooks · <span class="note">local emulator, not the real Intuit</span></p></header>
${body}
</body>
</html>
`;
}

export interface ConsentParams {
  client_id: string;
  redirect_uri: string;
  response_type: string;
  scope: string;
  state: string;
}

export function consentPage(
  appName: string,
  params: ConsentParams,
  companies: { realmId: string; name: string }[],
) {
  const hidden = (Object.keys(params) as (keyof ConsentParams)[])
    .map((k) => `<input type="hidden" name="${k}" value="${e(params[k])}">`)
    .join('\n');
  const choices = companies
    .map(
      (c, i) =>
        `<label><input type="radio" name="realmId" value="${e(c.realmId)}"${i === 0 ? ' checked' : ''}> ${e(c.name)} <span class="note">(${e(c.realmId)})</span></label>`,
    )
    .join('\n');
  return page(
    `Connect ${appName}`,
    `<h1>Connect ${e(appName)} to QuickBooks</h1>
<p>${e(appName)} wants access to: <code>${e(params.scope)}</code></p>
<form method="post" action="/connect/oauth2">
${hidden}
<fieldset><legend>Choose a company</legend>
${choices}
</fieldset>
<p>
<button class="primary" type="submit" name="decision" value="connect">Connect</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</p>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${e(title)}</h1><p>${e(message)}</p>`);
}

export interface MyAppsRow {
  realmId: string;
  companyName: string;
  connectedSince: string;
}

export function myAppsPage(appName: string, rows: MyAppsRow[], notice?: string): string {
  const body = rows.length
    ? `<table><thead><tr><th>App</th><th>Company</th><th>Connected since</th><th></th></tr></thead><tbody>
${rows
  .map(
    (
      r,
    ) => `<tr><td>${e(appName)}</td><td>${e(r.companyName)} <span class="note">(${e(r.realmId)})</span></td><td>${e(r.connectedSince)}</td>
<td><form method="post" action="/app/myapps/disconnect"><input type="hidden" name="realmId" value="${e(r.realmId)}"><button type="submit">Disconnect</button></form></td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '<p>No apps are connected to your companies.</p>';
  return page('My Apps', `<h1>My Apps</h1>${notice ? `<p class="note">${e(notice)}</p>` : ''}\n${body}`);
}
