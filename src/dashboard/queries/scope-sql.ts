import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { DomainScope } from '../auth/scope.ts'

/**
 * The SQL form of a viewer's scope, applied to every dashboard query (`domain` of
 * api_requests). Mirrors `inScope`; the two are tested against each other.
 */
export function scopeSql(scope: DomainScope, column = sql.ref('domain')): RawBuilder<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`
  const parts: RawBuilder<SqlBool>[] = []
  if (scope.exact.length > 0) parts.push(sql<SqlBool>`${column} in (${sql.join(scope.exact)})`)
  if (scope.hostPrefixes.length > 0) {
    const prefixes = sql.join(
      scope.hostPrefixes.map((p) => sql`left(${column}, ${sql.lit(p.length)}) = ${p}`),
      sql` or `,
    )
    const excluded =
      scope.excluded.length > 0 ? sql` and ${column} not in (${sql.join(scope.excluded)})` : sql``
    parts.push(sql<SqlBool>`((${prefixes})${excluded})`)
  }
  if (parts.length === 0) return sql<SqlBool>`false`
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
}
