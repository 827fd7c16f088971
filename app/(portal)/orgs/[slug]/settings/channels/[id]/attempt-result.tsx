import type { AttemptView } from "@/lib/alerts/channels";

// One delivery attempt as the channel page shows it after "Send a test event" or "Redeliver":
// the request that went out (webhook: method, URL, signed headers, body; email: recipients,
// subject, text), the receiver's answer, how long it took, and what went wrong in words.

function answerWords(a: AttemptView, webhook: boolean): string {
  if (a.statusCode === null) return a.ok ? "None (accepted without a mail server: kept in the demo outbox or the log)" : "No answer";
  if (!webhook) return `${a.statusCode}${a.ok ? " (accepted by the mail server)" : " (refused by the mail server)"}`;
  if (a.ok) return `${a.statusCode} (accepted)`;
  return `${a.statusCode} (refused: the receiver must answer 2xx within 10 seconds)`;
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function AttemptResult({ attempt: a, title }: { attempt: AttemptView; title: string }) {
  const webhook = "method" in a.request;
  return (
    <section aria-label={`${title} result`} className={`space-y-3 rounded-md border px-4 py-3 text-sm ${a.ok ? "border-green-200 bg-green-50" : "border-red-200 bg-red-50"}`}>
      <p className={`font-semibold ${a.ok ? "text-green-900" : "text-red-900"}`}>
        <span aria-hidden="true">{a.ok ? "✓ " : "✗ "}</span>
        {title}: {a.ok ? "delivered" : "not delivered"} (attempt {a.attempt})
      </p>
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-y-1 [&_dd]:wrap-anywhere">
        <dt className="text-slate-600">{webhook ? "Status code" : "Reply code"}</dt><dd>{answerWords(a, webhook)}</dd>
        <dt className="text-slate-600">Time taken</dt><dd className="tabular-nums">{a.durationMs} ms</dd>
        {a.error ? <><dt className="text-slate-600">What happened</dt><dd className="text-red-900">{a.error}</dd></> : null}
      </dl>
      {"method" in a.request ? (
        <div className="space-y-2">
          <h4 className="font-medium">Request sent</h4>
          <p className="font-mono text-xs wrap-anywhere"><span className="font-semibold">{a.request.method}</span> {a.request.url}</p>
          <dl aria-label="Request headers" className="grid grid-cols-1 gap-x-3 rounded border border-slate-200 bg-white p-2 font-mono text-xs sm:grid-cols-[11rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
            {Object.entries(a.request.headers).map(([k, v]) => (
              <div key={k} className="contents"><dt className="text-slate-600 max-sm:mt-1">{k}</dt><dd>{v}</dd></div>
            ))}
          </dl>
          <p className="text-xs text-slate-600">Body (formatted here for reading; sent as one line, exactly as signed):</p>
          <pre className="max-h-80 overflow-auto rounded border border-slate-200 bg-white p-2 font-mono text-xs">{pretty(a.request.body)}</pre>
        </div>
      ) : (
        <div className="space-y-2">
          <h4 className="font-medium">Email sent</h4>
          <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-y-1 [&_dd]:wrap-anywhere">
            <dt className="text-slate-600">To</dt><dd>{a.request.to.join(", ") || "—"}</dd>
            <dt className="text-slate-600">Subject</dt><dd>{a.request.subject}</dd>
          </dl>
          <details>
            <summary className="cursor-pointer text-xs font-medium">Text of the email</summary>
            <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap rounded border border-slate-200 bg-white p-2 font-mono text-xs wrap-anywhere">{a.request.text}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
