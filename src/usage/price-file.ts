import { readFileSync } from 'node:fs'
import { ConfigError } from '../config.ts'
import { DEFAULT_PRICE_TABLE, loadPriceTable, type PriceTable } from './price-table.ts'

/**
 * The price table with `PRICING_FILE` applied, read once at start. A missing or invalid
 * file stops the process with a message naming the variable and the file, like any other
 * bad setting: silently falling back to list prices would report wrong costs.
 */
export function readPriceTable(path: string | undefined): PriceTable {
  if (path === undefined) return DEFAULT_PRICE_TABLE
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(
      `PRICING_FILE ${path} could not be read as JSON: ${(err as Error).message}`,
    )
  }
  try {
    return loadPriceTable(json)
  } catch (err) {
    throw new ConfigError(`PRICING_FILE ${path}: ${(err as Error).message}`)
  }
}
