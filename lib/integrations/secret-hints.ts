// Runs in the browser (live hints in the wizard) and on the server (validation).

import { GUID } from "@/lib/microsoft/guid";

/** The most common mistake in every Azure guide: the Secret ID pasted instead of the Value. */
export function secretProblem(secret: string, clientId?: string): string | null {
  const s = secret.trim();
  if (!s) return "Paste the client secret's Value.";
  if (clientId && s.toLowerCase() === clientId.trim().toLowerCase()) return "That is the Application (client) ID, not a secret. Paste the client secret's Value from Certificates & secrets.";
  if (GUID.test(s)) {
    return "This looks like the secret's Secret ID (a GUID), not its Value. In the Azure portal, open Certificates & secrets → Client secrets and copy the Value column. Azure shows the Value only right after you create the secret; if it is hidden, create a new secret.";
  }
  if (s.length < 16 || /\s/.test(s)) return "This does not look like a client secret Value (about 40 characters, no spaces). Copy the Value column from Certificates & secrets → Client secrets.";
  return null;
}

