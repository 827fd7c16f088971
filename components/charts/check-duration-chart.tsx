"use client";

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { ChartPoint } from "@/lib/checks/check-durations";

// How long each protocol of a mailbox's checks took over the last week, failed runs marked with
// a cross (a shape, not only a colour). Drawn in the browser; the server sends the figures only,
// and the page puts a table of them next to it for screen readers and anyone who prefers numbers.

type Protocol = "graph" | "imap" | "pop" | "smtp";
const LABELS: Record<Protocol, string> = { graph: "Graph", imap: "IMAP", pop: "POP", smtp: "SMTP" };
// Distinct hues and dash patterns, so lines tell apart without colour too.
const STYLE: Record<Protocol, { color: string; dash?: string }> = {
  graph: { color: "#1d4ed8" },
  imap: { color: "#7c3aed", dash: "6 3" },
  pop: { color: "#0f766e", dash: "2 3" },
  smtp: { color: "#b45309", dash: "10 3 2 3" },
};
const FAILED = "#b91c1c";

type Row = { t: number; o: ChartPoint["o"] } & Partial<Record<Protocol, number | null>> & Partial<Record<`${Protocol}Failed`, boolean>>;

const day = (t: number) => new Date(t).toISOString().slice(5, 10);
const time = (t: number) => `${new Date(t).toISOString().slice(5, 16).replace("T", " ")} UTC`;
const ms = (v: number) => (v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

type DotProps = { cx?: number; cy?: number; payload?: Row; value?: unknown };

function dot(p: Protocol) {
  function ProtocolDot({ cx, cy, payload }: DotProps) {
    if (cx === undefined || cy === undefined || !payload || payload[p] === null || payload[p] === undefined) return <g />;
    if (payload[`${p}Failed`]) {
      return (
        <g stroke={FAILED} strokeWidth={2.5}>
          <line x1={cx - 4.5} y1={cy - 4.5} x2={cx + 4.5} y2={cy + 4.5} />
          <line x1={cx - 4.5} y1={cy + 4.5} x2={cx + 4.5} y2={cy - 4.5} />
        </g>
      );
    }
    return <circle cx={cx} cy={cy} r={2} fill={STYLE[p].color} />;
  }
  return ProtocolDot;
}

function TooltipBody({ active, payload, protocols }: TooltipContentProps<number, string> & { protocols: Protocol[] }) {
  const row = payload?.[0]?.payload as Row | undefined;
  if (!active || !row) return null;
  return (
    <div className="rounded border border-slate-300 bg-white px-2 py-1.5 text-xs shadow">
      <p className="font-medium">{time(row.t)} · {row.o === "P" ? "passed" : row.o === "D" ? "degraded" : "failed"}</p>
      {protocols.map((p) => (row[p] === null || row[p] === undefined ? null : (
        <p key={p} className={row[`${p}Failed`] ? "text-red-800" : undefined}>{LABELS[p]}: {ms(row[p])}{row[`${p}Failed`] ? " ✗ failed" : ""}</p>
      )))}
    </div>
  );
}

export function CheckDurationChart({ protocols, points, from, to, label }: { protocols: Protocol[]; points: ChartPoint[]; from: number; to: number; label: string }) {
  const rows: Row[] = points.map((pt) => {
    const row: Row = { t: pt.t, o: pt.o };
    protocols.forEach((p, i) => {
      row[p] = pt.ms[i] ?? null;
      if (pt.f?.includes(i)) row[`${p}Failed`] = true;
    });
    return row;
  });
  // One tick per UTC midnight in the window (recharts' own number ticks land on arbitrary instants).
  const ticks: number[] = [];
  for (let t = Math.ceil(from / 86_400_000) * 86_400_000; t <= to; t += 86_400_000) ticks.push(t);
  return (
    <div className="w-full">
      {/* The table beside the chart carries its figures; the drawing itself is one image to assistive technology. */}
      <div role="img" aria-label={label}>
      <LineChart responsive accessibilityLayer={false} data={rows} style={{ width: "100%", height: 260 }} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
        <XAxis dataKey="t" type="number" scale="time" domain={[from, to]} ticks={ticks} tickFormatter={day} tick={{ fontSize: 11, fill: "#475569" }} minTickGap={24} />
        <YAxis tickFormatter={ms} tick={{ fontSize: 11, fill: "#475569" }} width={64} />
        <Tooltip content={(props) => <TooltipBody {...(props as TooltipContentProps<number, string>)} protocols={protocols} />} />
        {protocols.map((p) => (
          <Line key={p} dataKey={p} name={LABELS[p]} type="monotone" stroke={STYLE[p].color} strokeDasharray={STYLE[p].dash} strokeWidth={1.5} dot={dot(p)} activeDot={{ r: 4 }} connectNulls isAnimationActive={false} />
        ))}
      </LineChart>
      </div>
      <ul aria-hidden="true" className="mt-1 flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs text-slate-700">
        {protocols.map((p) => (
          <li key={p} className="inline-flex items-center gap-1.5">
            <svg width="24" height="8" viewBox="0 0 24 8"><line x1="0" y1="4" x2="24" y2="4" stroke={STYLE[p].color} strokeWidth="2" strokeDasharray={STYLE[p].dash} /></svg>
            {LABELS[p]}
          </li>
        ))}
        <li className="inline-flex items-center gap-1.5">
          <svg width="10" height="10" viewBox="0 0 10 10" stroke={FAILED} strokeWidth="2.5"><line x1="1" y1="1" x2="9" y2="9" /><line x1="1" y1="9" x2="9" y2="1" /></svg>
          failed
        </li>
      </ul>
    </div>
  );
}
