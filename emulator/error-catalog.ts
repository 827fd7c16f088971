/**
 * AADSTS codes the emulator can produce, with the `error`/`suberror` Microsoft
 * pairs them with and message text close to what is seen on the wire. Message
 * placeholders are `{name}`; missing values fall back to neutral text so a fault
 * injected without context still reads like Microsoft.
 */
export interface CatalogEntry {
  /** OAuth `error` at the token endpoint. */
  error: string;
  /** OAuth `error` when delivered to the redirect URI (defaults to `error`). */
  authorizeError?: string;
  suberror?: string;
  /** HTTP status at the token endpoint. */
  status?: number;
  message: string;
}

export const ERROR_CATALOG: Record<number, CatalogEntry> = {
  16000: { error: "interaction_required", message: "Either multiple user identities are available for the current request or selected account is not supported for the scenario." },
  50011: { error: "invalid_request", message: "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this." },
  50020: { error: "invalid_grant", authorizeError: "access_denied", message: "User account '{upn}' from identity provider '{idp}' does not exist in tenant '{tenantName}' and cannot access the application '{appId}'({appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account." },
  50027: { error: "invalid_request", message: "JWT token is invalid or malformed." },
  50053: { error: "invalid_grant", authorizeError: "access_denied", message: "Account is locked because user tried to sign in too many times with an incorrect user ID or password." },
  50057: { error: "invalid_grant", authorizeError: "access_denied", message: "The user account is disabled." },
  50058: { error: "invalid_grant", authorizeError: "login_required", message: "A silent sign-in request was sent but no user is signed in." },
  50076: { error: "invalid_grant", authorizeError: "interaction_required", suberror: "basic_action", message: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'." },
  50059: { error: "invalid_request", message: "No tenant-identifying information found in either the request or implied by any provided credentials." },
  50173: { error: "invalid_grant", authorizeError: "interaction_required", suberror: "bad_token", message: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{issuedAt}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{validFrom}'." },
  50194: { error: "invalid_request", message: "Application '{appId}'({appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant." },
  53003: { error: "invalid_grant", authorizeError: "access_denied", suberror: "message_only", message: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance." },
  54005: { error: "invalid_grant", message: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token." },
  65001: { error: "invalid_grant", authorizeError: "consent_required", suberror: "consent_required", message: "The user or administrator has not consented to use the application with ID '{appId}' named '{appName}'. Send an interactive authorization request for this user and resource." },
  65004: { error: "consent_required", authorizeError: "access_denied", message: "User declined to consent to access the app." },
  70000: { error: "invalid_grant", message: "The provided value for the '{param}' parameter is not valid. {detail}" },
  70003: { error: "unsupported_grant_type", message: "The app requested an unsupported grant type '{grantType}'." },
  70008: { error: "invalid_grant", message: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource." },
  70011: { error: "invalid_scope", message: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid." },
  70043: { error: "invalid_grant", authorizeError: "interaction_required", suberror: "bad_token", message: "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on {issuedAt} and the maximum allowed lifetime for this request is 3600." },
  90002: { error: "invalid_request", message: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant." },
  90094: { error: "invalid_grant", authorizeError: "consent_required", suberror: "consent_required", message: "Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin." },
  500011: { error: "invalid_resource", message: "The resource principal named {resource} was not found in the tenant named {tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant." },
  501481: { error: "invalid_grant", message: "The Code_Verifier does not match the code_challenge supplied in the authorization request." },
  650052: { error: "invalid_client", authorizeError: "invalid_client", message: "The app is trying to access a service '{resourceId}'({resourceName}) that your organization '{tenantId}' lacks a service principal for. Contact your IT Admin to review the configuration of your service subscriptions or consent to the application in order to create the required service principal." },
  700005: { error: "invalid_grant", message: "Provided Authorization Code is intended to use against other tenant, thus rejected." },
  700016: { error: "unauthorized_client", message: "Application with identifier '{appId}' was not found in the directory '{tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant." },
  700021: { error: "invalid_client", status: 401, message: "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ." },
  700022: { error: "invalid_scope", message: "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid." },
  700023: { error: "invalid_client", status: 401, message: "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ." },
  700024: { error: "invalid_client", status: 400, message: "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ." },
  700025: { error: "invalid_client", status: 401, message: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented." },
  700027: { error: "invalid_client", status: 401, message: "{headline} [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{appId}'. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ." },
  700054: { error: "unsupported_response_type", authorizeError: "unsupported_response_type", message: "response_type '{responseType}' is not enabled for the application." },
  700082: { error: "invalid_grant", authorizeError: "interaction_required", suberror: "bad_token", message: "The refresh token has expired due to inactivity. The token was issued on {issuedAt} and was inactive for 90.00:00:00." },
  900144: { error: "invalid_request", message: "The request body must contain the following parameter: '{param}'." },
  900561: { error: "invalid_request", message: "The endpoint only accepts POST, OPTIONS requests. Received a {method} request." },
  900971: { error: "invalid_request", message: "No reply address provided." },
  9002313: { error: "invalid_grant", authorizeError: "invalid_request", message: "Invalid request. Request is malformed or invalid." },
  7000215: { error: "invalid_client", status: 401, message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{appId}'." },
  7000218: { error: "invalid_client", status: 401, message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
  7000222: { error: "invalid_client", status: 401, message: "The provided client secret keys for app '{appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds." },
};

const FALLBACKS: Record<string, string> = {
  appId: "00000000-0000-0000-0000-000000000000",
  appName: "application",
  tenantName: "the tenant",
  tenant: "unknown",
  upn: "user",
  idp: "live.com",
  resource: "00000003-0000-0000-c000-000000000000",
  resourceId: "00000002-0000-0ff1-ce00-000000000000",
  resourceName: "Office 365 Exchange Online",
  param: "code",
  scope: "(none)",
  headline: "The certificate with identifier used to sign the client assertion is not registered on application.",
  reason: "The key was not found.",
  thumbprint: "",
  detail: "",
};

export function catalogEntry(code: number): CatalogEntry {
  return ERROR_CATALOG[code] ?? { error: "invalid_request", message: "An error occurred." };
}

export function catalogMessage(code: number, params: Record<string, string | undefined> = {}): string {
  return catalogEntry(code)
    .message.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? FALLBACKS[name] ?? new Date().toISOString())
    .trim();
}
