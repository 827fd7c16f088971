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
  if (f.grantType !== undefined && !same(f.grantType, c.grantType)) return false;
  if (f.tenant !== undefined) {
    const names = [c.tenantSegment, c.tenant?.id, ...(c.tenant?.domains ?? [])];
    if (!names.some((n) => same(f.tenant!, n))) return false;
  }
  return true;
}

/** A delay or dropped connection: matched before any validation, so even a malformed request hangs. */
export const isNetworkFault = (f: Fault): boolean => f.delayMs !== undefined || f.drop === true;

export type AnswerFault = Fault & { code: number };

function take<F extends Fault>(state: EmulatorState, criteria: FaultCriteria, kind: (f: Fault) => f is F): F | undefined {
  const fault = state.faults.find((f): f is F => kind(f) && matches(f, criteria));
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) state.faults = state.faults.filter((f) => f !== fault);
  return fault;
}

/**
 * Finds the first matching error fault (an AADSTS answer, no network part) and
 * uses up one of its `times`. A fault that names a upn only matches once the
 * user is known (account pick, token grant).
 */
export function takeFault(state: EmulatorState, criteria: FaultCriteria): AnswerFault | undefined {
  return take(state, criteria, (f): f is AnswerFault => typeof f.code === "number" && !isNetworkFault(f));
}

/** Graph: the first matching answer fault (a status or claims challenge, no network part). */
export function takeGraphFault(state: EmulatorState, criteria: FaultCriteria): Fault | undefined {
  return take(state, criteria, (f): f is Fault => (f.status !== undefined || f.claimsChallenge === true) && !isNetworkFault(f));
}

/** Mail protocols: the first matching "throttle" fault (possibly with a delay before the answer). */
export function takeThrottleFault(state: EmulatorState, criteria: FaultCriteria): Fault | undefined {
  return take(state, criteria, (f): f is Fault => f.code === "throttle");
}

/** Mail protocols: a pure delay or drop (no throttle answer), matched at connect or at AUTH. */
export function takeMailNetworkFault(state: EmulatorState, criteria: FaultCriteria): Fault | undefined {
  return take(state, criteria, (f): f is Fault => isNetworkFault(f) && f.code === undefined);
}

/** Same, for faults with `delayMs` or `drop` (which may also carry a code to answer with after the delay). */
export function takeNetworkFault(state: EmulatorState, criteria: FaultCriteria): Fault | undefined {
  return take(state, criteria, (f): f is Fault => isNetworkFault(f));
}
