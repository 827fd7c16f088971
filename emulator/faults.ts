import { FAULT_KINDS, type FaultKind, type GraphFault, type HttpFault, type IdentityFault, type MailFault, type NetworkFault } from "./fault-kinds";
import type { EmulatorState, Fault, Tenant, TenantRef, User } from "./state";

export interface FaultCriteria {
  endpoint: Fault["endpoint"];
  clientId?: string;
  tenantSegment: string;
  tenant?: Tenant;
  upn?: string;
  grantType?: string;
}

/** What a request offers fault matching: its endpoint, app, tenant (when resolved) and user (once known). */
export function criteriaFor(
  endpoint: Fault["endpoint"],
  tenantSegment: string,
  who: { clientId?: string | undefined; tenantRef?: TenantRef | undefined; user?: User | undefined; grantType?: string | undefined },
): FaultCriteria {
  return {
    endpoint,
    tenantSegment,
    ...(who.clientId ? { clientId: who.clientId } : {}),
    ...(who.tenantRef?.kind === "tenant" ? { tenant: who.tenantRef.tenant } : {}),
    ...(who.user ? { upn: who.user.upn } : {}),
    ...(who.grantType ? { grantType: who.grantType } : {}),
  };
}

const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();

function matches(f: Fault, c: FaultCriteria): boolean {
  if (f.endpoint !== c.endpoint) return false;
  if (f.clientId !== undefined && !same(f.clientId, c.clientId)) return false;
  if (f.upn !== undefined && !same(f.upn, c.upn)) return false;
  if ("grantType" in f && f.grantType !== undefined && !same(f.grantType, c.grantType)) return false;
  if (f.tenant !== undefined) {
    const names = [c.tenantSegment, c.tenant?.id, ...(c.tenant?.domains ?? [])];
    if (!names.some((n) => same(f.tenant!, n))) return false;
  }
  return true;
}

function take<K extends FaultKind>(
  state: EmulatorState,
  criteria: FaultCriteria,
  stage: "early" | "late" | "any",
  kinds: readonly K[],
  wanted: (f: Extract<Fault, { kind: K }>) => boolean = () => true,
): Extract<Fault, { kind: K }> | undefined {
  const fault = state.faults.find(
    (f): f is Extract<Fault, { kind: K }> =>
      (kinds as readonly FaultKind[]).includes(f.kind) &&
      (stage === "any" || FAULT_KINDS[f.kind].early(f) === (stage === "early")) &&
      matches(f, criteria) &&
      wanted(f as Extract<Fault, { kind: K }>),
  );
  if (!fault) return undefined;
  if (fault.remaining !== null) {
    fault.remaining -= 1;
    if (fault.remaining <= 0) state.faults = state.faults.filter((f) => f !== fault);
  }
  return fault;
}

/**
 * Identity endpoints, once the request is understood: the first matching AADSTS fault (no network part), using
 * up one of its `times`. A fault that names a upn only matches once the user is known (account pick, token grant).
 */
export function takeFault(state: EmulatorState, criteria: FaultCriteria): IdentityFault | undefined {
  return take(state, criteria, "late", ["identity"]);
}

/** Graph, after the token checks: a status or claims challenge without a delay. */
export function takeGraphFault(state: EmulatorState, criteria: FaultCriteria): GraphFault | undefined {
  return take(state, criteria, "late", ["graph"]);
}

/** Mail protocols at AUTH: a "throttle" fault (possibly with a delay before the answer). */
export function takeThrottleFault(state: EmulatorState, criteria: FaultCriteria): MailFault | undefined {
  return take(state, criteria, "any", ["mail"], (f) => f.code === "throttle");
}

/** Mail protocols, after a refused XOAUTH2: a challengeOnFailure fault (answer with a SASL error challenge first). */
export function takeChallengeFault(state: EmulatorState, criteria: FaultCriteria): MailFault | undefined {
  return take(state, criteria, "any", ["mail"], (f) => f.challengeOnFailure === true);
}

/** Mail protocols: a pure delay or drop, matched at connect or at AUTH. */
export function takeMailNetworkFault(state: EmulatorState, criteria: FaultCriteria): NetworkFault | undefined {
  return take(state, criteria, "early", ["network"]);
}

/** HTTP endpoints as the request arrives, before any validation: a delay, a drop, an HTTP-level answer, or a late AADSTS/Graph answer. */
export function takeEarlyFault(state: EmulatorState, criteria: FaultCriteria): NetworkFault | HttpFault | IdentityFault | GraphFault | undefined {
  return take(state, criteria, "early", ["network", "http", "identity", "graph"]);
}
