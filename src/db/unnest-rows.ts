import { sql, type RawBuilder } from 'kysely'

/** The SQL type (`uuid`, `jsonb`, …) of every field of a row: all of them, none besides. */
export type ColumnTypes<R> = { readonly [K in keyof R]: string }

/**
 * Rows as a relation `v(<fields>, ord)`: one typed array parameter per field, unnested, `ord`
 * the row's position (order by it to keep the rows' order). A multi-row VALUES list carries
 * one parameter per value, and PostgreSQL spends longer parsing and planning a statement of
 * 25,000 parameters than storing its 500 rows; this one has as many parameters as fields,
 * however many rows (docs/import.md, "Bulk writes").
 */
export function unnestRows<R extends object>(
  rows: readonly R[],
  types: ColumnTypes<R>,
): RawBuilder<unknown> {
  const fields = Object.keys(types) as Array<keyof R & string>
  const arrays = fields.map((f) => sql`${rows.map((r) => r[f] ?? null)}::${sql.raw(types[f])}[]`)
  return sql`select * from unnest(${sql.join(arrays)}) with ordinality as v(${names(fields)}, ord)`
}

/** Names, comma-separated, each with the prefix (`v.`): an INSERT's or SELECT's list. */
export function names(fields: readonly string[], prefix = ''): RawBuilder<unknown> {
  return sql.raw(fields.map((f) => prefix + f).join(', '))
}
