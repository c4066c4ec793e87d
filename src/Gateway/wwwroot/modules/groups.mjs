// @ts-check
// The group search of a restore's mapping step, DOM-free (unit-tested): the target tenant's directory-group cache
// only (InventoryService reads its database, never Graph), how a group reads when names collide, and an AMBIGUOUS
// mapping's candidates first.

/**
 * @typedef {{ groupId: string, displayName?: string, groupTypes?: string[], membershipRule?: string,
 *   securityEnabled?: boolean, deleted?: boolean }} DirectoryGroup
 */

export const SEARCH_PAGE_SIZE = 20;
/** Typing waits this long before it searches, so a word is one request rather than one per key. */
export const SEARCH_DELAY_MS = 300;

/** @param {string} tenantId @param {string} query */
export function groupSearchPath(tenantId, query) {
  const params = new URLSearchParams({ query: query.trim(), match: 'GROUP_MATCH_CONTAINS', pageSize: String(SEARCH_PAGE_SIZE) });
  return `/v1/tenants/${encodeURIComponent(tenantId)}/directory-groups?${params}`;
}

/** The exact look-up of an AMBIGUOUS mapping's candidates (names and kinds for their ids). @param {string} tenantId */
export const groupResolvePath = (tenantId) => `/v1/tenants/${encodeURIComponent(tenantId)}/directory-groups:resolve`;

/**
 * A group as an option reads: names are not unique, so its kind and id tell two of a name apart.
 * @param {DirectoryGroup} group
 */
export function groupLabel(group) {
  const types = group.groupTypes ?? [];
  const kind = [types.includes('Unified') ? 'Microsoft 365' : 'security', types.includes('DynamicMembership') ? 'dynamic' : 'assigned'];
  if (group.deleted) kind.push('deleted');
  return `${group.displayName || '(no name)'} — ${kind.join(', ')}, ${group.groupId}`;
}

/**
 * The options to show: the mapping's candidates (groups sharing the source's name) first, in their order, then the
 * search's other results; each group once.
 * @param {readonly DirectoryGroup[]} candidates
 * @param {readonly DirectoryGroup[]} found
 * @returns {{ candidates: DirectoryGroup[], others: DirectoryGroup[] }}
 */
export function candidatesFirst(candidates, found) {
  const ids = new Set(candidates.map((g) => g.groupId));
  return { candidates: [...candidates], others: found.filter((g) => g.groupId && !ids.has(g.groupId)) };
}

/**
 * Candidates as the resolve answer gives them, in the mapping's order; an id the cache no longer has still shows (by id).
 * @param {readonly string[]} candidateIds
 * @param {readonly DirectoryGroup[]} byId
 * @returns {DirectoryGroup[]}
 */
export function orderCandidates(candidateIds, byId) {
  const known = new Map(byId.map((g) => [g.groupId.toLowerCase(), g]));
  return candidateIds.map((id) => known.get(id.toLowerCase()) ?? { groupId: id });
}
