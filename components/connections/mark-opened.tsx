"use client";
import { useEffect } from "react";
import type { FormAction } from "@/components/ui/action-form";

/** Tells the portal a person (not a mail scanner fetching the link) has the consent page open. */
export function MarkOpened({ token, action }: { token: string; action: FormAction }) {
  useEffect(() => {
    const form = new FormData();
    form.set("token", token);
    void action({}, form);
  }, [token, action]);
  return null;
}
