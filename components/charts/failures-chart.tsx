"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { FailureSeries, Range } from "@/lib/checks/rollup";
import { bucketLabel } from "./series";

const PALETTE = ["#b91c1c", "#7c3aed", "#0369a1", "#c2410c", "#0f766e", "#a21caf", "#64748b"];

/** Failed checks per bucket, stacked by diagnosis code (the range's most frequent codes, the rest as "other"). */
export function FailuresChart({ series, range }: { series: FailureSeries; range: Range }) {
  return (
    <div className="h-56 w-full" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 224 }}>
        <BarChart data={series.points} margin={{ top: 4, right: 4, bottom: 0, left: -20 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="at" tickFormatter={(v: string) => bucketLabel(v, range)} tick={{ fontSize: 11, fill: "#475569" }} minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} />
          <Tooltip labelFormatter={(v) => `${bucketLabel(String(v), range)} UTC`} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={(value: string) => <span style={{ color: "#334155" }}>{value}</span>} />
          {series.codes.map((code, i) => (
            <Bar key={code} dataKey={code} name={code} stackId="codes" fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
