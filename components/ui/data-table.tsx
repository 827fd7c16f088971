"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import Link from "next/link";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from "@tanstack/react-table";

// A table of rows the server already filtered, sorted and paged (TanStack Table with manual
// sorting and pagination: it lays out what it is given and never reorders it). Sorting is a link
// to another URL, so the page stays server-rendered and the view stays shareable. Cells arrive as
// rendered nodes, so a server page can put links, badges and times in them. Below 640 px each row
// becomes a card whose cells name themselves ("cards"), or the table scrolls inside its box ("scroll").
//
// Optional row selection: each selectable row gets a labelled checkbox named `selection.name`
// with the row's id as its value, attached to the form `selection.form` (the bulk actions'), so
// the selection is submitted as a plain form field, with or without JavaScript.

export type SortState = "ascending" | "descending";

export type DataTableColumn = {
  id: string;
  /** The header; also the cell's label in the phone card layout. */
  header: string;
  /** A sortable column: where its header links to, whether it is the active sort, and what the link does (for screen readers). */
  sort?: { href: string; active: SortState | null; action: string };
  /** Extra classes for the column's cells (widths, wrapping). */
  className?: string;
};

export type DataTableRow = {
  id: string;
  cells: Record<string, ReactNode>;
  /** How the row's checkbox is named to screen readers: "Select support@contoso.com". */
  selectLabel?: string;
};

export type DataTableSelection = {
  /** The form field the checked ids are sent as. */
  name: string;
  /** The id of the form the checkboxes belong to. */
  form: string;
  /** "mailbox": for "2 mailboxes selected". */
  noun: [singular: string, plural: string];
  /** Controls shown beside the count (the bulk action buttons). */
  actions?: ReactNode;
};

export function DataTable({ columns, rows, caption, selection, layout = "cards" }: { columns: DataTableColumn[]; rows: DataTableRow[]; caption: string; selection?: DataTableSelection; layout?: "cards" | "scroll" }) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const defs: ColumnDef<DataTableRow>[] = columns.map((c) => ({ id: c.id, header: c.header, cell: (ctx) => ctx.row.original.cells[c.id] ?? null }));
  // The React Compiler skips this component (useReactTable returns functions that are not stable by reference).
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
    manualSorting: true,
    manualPagination: true,
    enableRowSelection: Boolean(selection),
    state: { rowSelection },
    onRowSelectionChange: setRowSelection,
  });
  const byId = new Map(columns.map((c) => [c.id, c]));
  const selected = table.getSelectedRowModel().rows.length;
  const cards = layout === "cards";
  const cell = "py-2 pr-4 align-top";
  const cardRow = "max-sm:block max-sm:rounded-md max-sm:border max-sm:border-slate-200 max-sm:p-3 [&>td]:max-sm:flex [&>td]:max-sm:gap-2 [&>td]:max-sm:py-1 [&>td]:max-sm:before:w-24 [&>td]:max-sm:before:whitespace-normal [&>td]:max-sm:before:break-words [&>td]:max-sm:before:shrink-0 [&>td_*]:max-sm:whitespace-normal [&>td]:max-sm:before:text-xs [&>td]:max-sm:before:font-medium [&>td]:max-sm:before:uppercase [&>td]:max-sm:before:text-slate-500 [&>td]:max-sm:before:content-[attr(data-label)]";

  return (
    <div className="space-y-3">
      {selection ? (
        <div className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-slate-50 p-2 text-sm">
          <p className="text-slate-700" aria-live="polite">{selected === 0 ? `No ${selection.noun[0]} selected` : `${selected} ${selected === 1 ? selection.noun[0] : selection.noun[1]} selected`}</p>
          {selection.actions}
        </div>
      ) : null}
      <div className={cards ? "sm:overflow-x-auto" : "overflow-x-auto"}>
        <table className={`w-full text-left text-sm ${cards ? "max-sm:block" : ""}`}>
          <caption className="sr-only">{caption}</caption>
          <thead className={`text-xs uppercase text-slate-500 ${cards ? "max-sm:hidden" : ""}`}>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {selection ? (
                  <th scope="col" className="w-8 py-2 pr-2">
                    <SelectAll checked={table.getIsAllRowsSelected()} indeterminate={table.getIsSomeRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} label={`Select all ${selection.noun[1]} on this page`} />
                  </th>
                ) : null}
                {group.headers.map((h) => {
                  const col = byId.get(h.column.id)!;
                  return (
                    <th key={h.id} scope="col" className="py-2 pr-4" aria-sort={col.sort?.active ?? undefined}>
                      {col.sort ? (
                        <Link href={col.sort.href} className="inline-flex items-center gap-1 whitespace-nowrap uppercase hover:text-slate-800 hover:underline">
                          {col.header}
                          <span aria-hidden="true">{col.sort.active === "ascending" ? "↑" : col.sort.active === "descending" ? "↓" : "↕"}</span>
                          <span className="sr-only">, {col.sort.action}</span>
                        </Link>
                      ) : col.header}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className={`divide-y divide-slate-100 ${cards ? "max-sm:block max-sm:space-y-3 max-sm:divide-y-0" : ""}`}>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className={`align-top ${cards ? cardRow : ""} ${row.getIsSelected() ? "shadow-[inset_3px_0_0_var(--color-brand-600)]" : ""}`}>
                {selection ? (
                  <td data-label="Select" className="w-8 py-2 pr-2">
                    <label className="inline-flex min-h-6 min-w-6 items-center">
                      <input type="checkbox" name={selection.name} value={row.id} form={selection.form} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} className="size-4 rounded border-slate-400" />
                      <span className="sr-only">{row.original.selectLabel ?? `Select row ${row.index + 1}`}</span>
                    </label>
                  </td>
                ) : null}
                {row.getVisibleCells().map((c) => {
                  const col = byId.get(c.column.id)!;
                  return (
                    <td key={c.id} data-label={col.header} className={`${cell} ${col.className ?? ""}`}>
                      <div className="min-w-0">{flexRender(c.column.columnDef.cell, c.getContext())}</div>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function SelectAll({ checked, indeterminate, onChange, label }: { checked: boolean; indeterminate: boolean; onChange: (e: unknown) => void; label: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate && !checked;
  }, [indeterminate, checked]);
  return (
    <label className="inline-flex min-h-6 min-w-6 items-center">
      <input ref={ref} type="checkbox" checked={checked} onChange={onChange} className="size-4 rounded border-slate-400" />
      <span className="sr-only">{label}</span>
    </label>
  );
}
