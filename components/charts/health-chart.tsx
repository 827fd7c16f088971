"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HealthPoint, Range } from "@/lib/checks/rollup";
import { HEALTH_SERIES, bucketLabel } from "./series";

// Health counts over time as stacked bars, worst on top of the stack's base so a failure shows
// at the bottom where the eye starts. Drawn on the client from the server's roll-up points; the
// figure's caption and table (health-panels.tsx) carry the same numbers in text.

export function HealthChart({ points, range }: { points: HealthPoint[]; range: Range }) {
  return (
    <div className="h-56 w-full" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 224 }}>
        <BarChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: -20 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="at" tickFormatter={(v: string) => bucketLabel(v, range)} tick={{ fontSize: 11, fill: "#475569" }} minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} />
          <Tooltip labelFormatter={(v) => `${bucketLabel(String(v), range)} UTC`} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={(value: string) => <span style={{ color: "#334155" }}>{value}</span>} />
          {HEALTH_SERIES.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="health" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
