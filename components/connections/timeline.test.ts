import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { EventEntry, TimelinePage } from "@/lib/connections/timeline";
import { ConnectionTimeline } from "./timeline";

// Exchange's replies carry host names and ids without spaces: a phone's line must break inside them.

describe("ConnectionTimeline", () => {
  it("lets an event's words break anywhere, so a long reply from Exchange never widens the page", () => {
    const reply = "535 5.7.139 Authentication unsuccessful [EMU01PR01CA0001.namprd01.prod.outlook.com 2026-12-02T18:27:36.566Z 3A683ED11F48432B]";
    const entry: EventEntry = { type: "event", id: crypto.randomUUID(), at: new Date(), actor: { kind: "bridge" }, kind: "bridge_session", label: "Mail bridge session", problem: true, resource: "outlook", classification: null, code: "smtp_auth_disabled", codeTitle: "SMTP AUTH is disabled", detail: `SMTP from 192.0.2.7 · Microsoft refused the sign-in: ${reply}` };
    const page: TimelinePage = { entries: [entry], kind: undefined, older: null, newer: null };
    const html = renderToStaticMarkup(createElement(ConnectionTimeline, { page, hrefFor: () => "/x", showActorNames: true, now: new Date() }));
    const line = html.match(/<p class="([^"]*)">(?:<span aria-hidden="true">✗ <\/span>)?Mail bridge session/);
    expect(line?.[1]).toContain("wrap-anywhere");
  });
});
