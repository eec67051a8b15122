/**
 * Reduces any spelling of a Claude model id to the key the price table uses, e.g.
 * `claude-sonnet-4-5-20250929`, `claude-sonnet-4-5`, `anthropic.claude-sonnet-4-5-20250929-v1:0`
 * (Bedrock) and `claude-sonnet-4-5@20250929` (Vertex) all become `sonnet-4-5`.
 *
 * Two naming schemes exist: Claude 3.x put the version first (`claude-3-5-haiku-20241022`),
 * Claude 4 and later put the family first (`claude-haiku-4-5-20251001`). A `.0` minor
 * version is the same model as the bare major (`claude-opus-4-0` is `claude-opus-4-20250514`).
 * Returns null for ids that follow neither scheme.
 */
export function canonicalModelKey(modelId: string): string | null {
  const id = modelId.trim().toLowerCase()
  const familyFirst = /claude-([a-z]+)-(\d{1,2})(?:[-.](\d{1,2}))?(?!\d)/.exec(id)
  if (familyFirst) return key(familyFirst[1], familyFirst[2], familyFirst[3])
  const versionFirst = /claude-(\d{1,2})(?:[-.](\d{1,2}))?-([a-z]+)/.exec(id)
  if (versionFirst) return key(versionFirst[3], versionFirst[1], versionFirst[2])
  return null
}

function key(family = '', major = '', minor: string | undefined): string {
  const m = minor === undefined ? 0 : Number(minor)
  return m === 0 ? `${family}-${Number(major)}` : `${family}-${Number(major)}-${m}`
}

/**
 * The name usage groups a model under: dated ids, aliases and cloud spellings of one model
 * become `claude-<family>-<version>` (`claude-sonnet-4-5-20250929` and `claude-sonnet-4-5`
 * → `claude-sonnet-4-5`). Ids no scheme covers (and '' for unknown) stay as they are.
 */
export function modelFamily(modelId: string): string {
  const key = canonicalModelKey(modelId)
  return key === null ? modelId : `claude-${key}`
}
