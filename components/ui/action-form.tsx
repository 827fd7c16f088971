"use client";
import { useActionState, type ReactNode } from "react";
import type { ActionState } from "@/lib/action-state";

export type FormAction = (prev: ActionState, form: FormData) => Promise<ActionState>;

/**
 * The small forms that repeat hidden ids, a pending button and an alert: pass the server action,
 * the hidden fields and the controls (a render function gets `pending` and the last state).
 * A failure is shown below the controls; `confirm` asks before submitting.
 */
export function ActionForm({
  action: serverAction,
  fields,
  confirm: question,
  className,
  errorClassName = "text-sm text-red-700",
  children,
}: {
  action: FormAction;
  fields: Record<string, string>;
  confirm?: string;
  className?: string;
  errorClassName?: string;
  children: ReactNode | ((s: { pending: boolean; state: ActionState }) => ReactNode);
}) {
  const [state, action, pending] = useActionState(serverAction, {});
  return (
    <form action={action} className={className} onSubmit={question ? (e) => { if (!window.confirm(question)) e.preventDefault(); } : undefined}>
      {Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      {typeof children === "function" ? children({ pending, state }) : children}
      {state.ok === false && state.message ? <p role="alert" className={errorClassName}>{state.message}</p> : null}
    </form>
  );
}
