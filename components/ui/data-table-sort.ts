import type { DataTableColumn } from "./data-table";

// Kept out of data-table.tsx (a client module) so server pages can call it.

/** The header link of a sortable column: where it goes, and what it says it does. */
export function sortColumn(opts: { href: string; activeDir: "asc" | "desc" | null; nextDir: "asc" | "desc"; name: string }): DataTableColumn["sort"] {
  const words = (d: "asc" | "desc") => (d === "asc" ? "ascending" : "descending");
  return {
    href: opts.href,
    active: opts.activeDir ? words(opts.activeDir) : null,
    action: opts.activeDir ? `sorted ${words(opts.activeDir)}; sort ${words(opts.nextDir)}` : `sort by ${opts.name.toLowerCase()}`,
  };
}
