// What the integration wizard tells an admin: warnings about a (cloud, tenant mode, purposes)
// choice and the exact Azure portal steps. Facts: shared reference "microsoft-identity.md"
// §1.1, §1.3, §2.3, §4.2, §5.2, §5.3, §5.5, §5.7, §8.
import { CLOUDS, type CloudId } from "./clouds";
import type { TenantMode } from "./endpoints";
import { delegatedScopes, type Purpose } from "./scopes";

export type WizardWarning = { level: "error" | "warning" | "info"; code: string; message: string };

const MAIL_PROTOCOLS: Purpose[] = ["imap", "pop", "smtp"];
const EXCHANGE_PURPOSES: Purpose[] = ["imap", "pop", "smtp", "ews"];

// §5.7 (MC1176266, MC1227454): EWS in Exchange Online.
const EWS_DISABLEMENT_STARTS = new Date("2026-10-01T00:00:00Z");
const EWS_SHUTDOWN = new Date("2027-04-01T00:00:00Z");

function ewsWarning(now: Date): WizardWarning {
  const tail = "Use Microsoft Graph (Graph read / Graph send) instead. On-premises Exchange is not affected.";
  if (now >= EWS_SHUTDOWN) {
    return { level: "error", code: "ews-retired", message: `Exchange Web Services (EWS) in Exchange Online was permanently shut down on 1 April 2027. ${tail}` };
  }
  if (now >= EWS_DISABLEMENT_STARTS) {
    return {
      level: "warning",
      code: "ews-retiring",
      message: `Microsoft has been disabling Exchange Web Services (EWS) in Exchange Online in phases since 1 October 2026 (tenant EWSEnabled setting and app allow list), and shuts it down permanently on 1 April 2027. It may already be off in this tenant. ${tail}`,
    };
  }
  return {
    level: "warning",
    code: "ews-retiring",
    message: `Microsoft starts disabling Exchange Web Services (EWS) in Exchange Online in phases on 1 October 2026 and shuts it down permanently on 1 April 2027. ${tail}`,
  };
}

export function configurationWarnings(input: { cloud: CloudId; tenantMode: TenantMode; purposes: Purpose[]; now?: Date }): WizardWarning[] {
  const { cloud, tenantMode, purposes } = input;
  const p = CLOUDS[cloud];
  const has = (list: Purpose[]) => purposes.some((x) => list.includes(x));
  const out: WizardWarning[] = [];

  if (purposes.length === 0) {
    out.push({ level: "error", code: "no-purposes", message: "Pick at least one purpose (Graph read, Graph send, IMAP, POP, SMTP or EWS); without one there is nothing to ask the mailbox owner for." });
  }
  if (tenantMode === "common" && !p.personalAccounts) {
    out.push({
      level: "error",
      code: "common-outside-global",
      message: `Personal Microsoft accounts exist only in the Global cloud, so "work and personal accounts" (common) can't be used in ${p.label}. Choose "any organization" (organizations) or a single tenant.`,
    });
  }
  if (tenantMode === "common" && p.personalAccounts && has(MAIL_PROTOCOLS)) {
    // §5.2: Outlook.com mailboxes live on other servers (smtp-mail.outlook.com) than the ones derived here.
    out.push({
      level: "warning",
      code: "common-personal-mail-protocols",
      message: `With common, people can connect personal Outlook.com accounts, but those mailboxes are served by different hosts (for example smtp-mail.outlook.com), not ${p.imapHost} / ${p.smtpHost}, so IMAP, POP and SMTP checks will fail for them in this portal. Use organizations unless you really need personal accounts.`,
    });
  }
  if (tenantMode !== "single") {
    const type = tenantMode === "common" ? '"Accounts in any organizational directory and personal Microsoft accounts"' : '"Accounts in any organizational directory" (multitenant)';
    out.push({
      level: "warning",
      code: "multi-tenant-registration",
      message: `The app registration must be multi-tenant: set Supported account types to ${type}. A single-tenant app fails sign-in with AADSTS50194.`,
    });
  }
  if (tenantMode === "common") {
    out.push({ level: "info", code: "admin-consent-organizations", message: "Admin consent links use organizations rather than common, because Microsoft's v2 admin-consent endpoint does not accept common." });
  }
  if (purposes.includes("ews")) out.push(ewsWarning(input.now ?? new Date()));
  if (purposes.includes("smtp")) {
    out.push({
      level: "info",
      code: "smtp-auth-disabled-by-default",
      message:
        "SMTP AUTH must be enabled for each mailbox that sends over SMTP. Tenants created after January 2020 have it off by default. Enable it per mailbox in Exchange Online PowerShell: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false (otherwise sending fails with 535 5.7.139).",
    });
    out.push({
      level: "info",
      code: "smtp-scope-choice",
      message: "Delegated SMTP uses the SMTP.Send permission. One version of Microsoft's Exchange page lists SMTP.SendAsApp in the delegated table; that is the app-only permission, so this portal asks for SMTP.Send.",
    });
  }
  if (purposes.includes("imap") || purposes.includes("pop")) {
    out.push({ level: "info", code: "mail-protocol-enabled", message: "IMAP and POP must be enabled for each mailbox: Set-CASMailbox -Identity <mailbox> -ImapEnabled $true / -PopEnabled $true." });
  }
  if (cloud === "china") {
    out.push({ level: "warning", code: "china-login-host", message: p.notes[0]! });
    if (purposes.includes("smtp")) out.push({ level: "info", code: "china-smtp-host", message: p.notes[1]! });
  }
  if (cloud === "dod") {
    if (has(EXCHANGE_PURPOSES)) out.push({ level: "warning", code: "dod-exchange-scope", message: p.notes[0]! });
    if (purposes.includes("smtp")) out.push({ level: "info", code: "dod-smtp-host", message: p.notes[1]! });
  }
  if (cloud === "gcc-high" && purposes.includes("smtp")) out.push({ level: "info", code: "gcc-high-smtp-host", message: p.notes[0]! });
  if (cloud === "gcc" && has(EXCHANGE_PURPOSES)) out.push({ level: "info", code: "gcc-mail-host", message: p.notes[0]! });
  return out;
}

const ACCOUNT_TYPE: Record<TenantMode, { pick: string; why: string }> = {
  single: {
    pick: "Accounts in this organizational directory only (Single tenant)",
    why: "Only mailboxes in your own tenant will connect, and the portal signs in through your tenant's own endpoints.",
  },
  organizations: {
    pick: "Accounts in any organizational directory (Any Microsoft Entra ID tenant - Multitenant)",
    why: "The portal signs in through /organizations so mailboxes from other organizations can connect; a single-tenant app would fail with AADSTS50194.",
  },
  common: {
    pick: "Accounts in any organizational directory and personal Microsoft accounts",
    why: "The portal signs in through /common, which also admits personal Microsoft accounts; anything narrower fails for those accounts (AADSTS50194 for a single-tenant app).",
  },
};

export function azureGuide(cloud: CloudId, tenantMode: TenantMode, purposes: Purpose[], redirectUri: string): { step: string; detail: string }[] {
  const p = CLOUDS[cloud];
  const steps: { step: string; detail: string }[] = [];
  steps.push({
    step: `Open the ${p.label} Azure portal: ${p.azurePortal}`,
    detail: `Sign in at ${p.azurePortal} (or the Microsoft Entra admin center, ${p.entraAdmin}) with an account allowed to register applications. An app registered in another cloud's portal does not work in ${p.label}.`,
  });
  steps.push({
    step: "App registrations → New registration",
    detail: 'Search for "App registrations", choose New registration, and give the app a name your admins will recognise, such as "Mailgrant".',
  });
  const account =
    tenantMode === "common" && !p.personalAccounts
      ? { pick: ACCOUNT_TYPE.organizations.pick, why: `Personal Microsoft accounts don't exist in ${p.label}; also switch this integration's tenant mode to "any organization" (organizations).` }
      : ACCOUNT_TYPE[tenantMode];
  steps.push({ step: `Supported account types: ${account.pick}`, detail: account.why });
  steps.push({
    step: `Redirect URI: platform Web, ${redirectUri}`,
    detail: `Under Redirect URI choose the Web platform (not Single-page application or Public client) and enter exactly ${redirectUri}, then select Register. Any difference in scheme, host, port, path or trailing slash makes sign-in fail with AADSTS50011.`,
  });

  const { scopes } = delegatedScopes(cloud, purposes);
  const byApi = new Map<string, string[]>();
  for (const s of scopes) {
    if (!s.azurePermission) continue;
    byApi.set(s.azurePermission.api, [...(byApi.get(s.azurePermission.api) ?? []), s.azurePermission.name]);
  }
  const graph = byApi.get("Microsoft Graph");
  if (graph) {
    steps.push({
      step: `API permissions → Add a permission → Microsoft Graph → Delegated permissions: ${graph.join(", ")}`,
      detail: `Tick ${graph.join(", ")} and select Add permissions. openid, profile, email and offline_access are requested at sign-in; adding them under "OpenId permissions" is optional.`,
    });
  }
  const exchange = byApi.get("Office 365 Exchange Online");
  if (exchange) {
    steps.push({
      step: `API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → Delegated permissions: ${exchange.join(", ")}`,
      detail: `Search for "Office 365 Exchange Online" on the "APIs my organization uses" tab (it is not under Microsoft Graph), choose Delegated permissions and tick ${exchange.join(", ")}. Do not pick the *.AccessAsApp or SMTP.SendAsApp application permissions; they are for app-only access.`,
    });
  }
  steps.push(
    tenantMode === "single"
      ? { step: "API permissions → Grant admin consent", detail: "Select \"Grant admin consent for <your organization>\" so mailbox owners aren't asked to approve the permissions one by one (some tenants don't let users consent at all)." }
      : { step: "Grant admin consent from the portal", detail: "After saving the integration, use the portal's admin-consent link; each organization's admin grants consent for their own tenant." },
  );
  steps.push({
    step: "Certificates & secrets → Client secrets → New client secret",
    detail:
      "Add a description and an expiry (at most 24 months; Microsoft recommends under 12), then copy the Value column immediately: it is shown only once. Do not copy the Secret ID; pasting the Secret ID instead of the Value makes token requests fail with AADSTS7000215 (invalid client secret).",
  });
  steps.push({
    step: "Overview → copy the Application (client) ID and Directory (tenant) ID",
    detail:
      tenantMode === "single"
        ? "Paste both into this portal with the secret Value. The Directory (tenant) ID is the tenant this integration signs in to."
        : "Paste both into this portal with the secret Value. The Directory (tenant) ID records the tenant the app is registered in; mailboxes from other organizations still sign in.",
  });
  return steps;
}
