// @ts-check
// The run-type catalogue of a workspace (GET /v1/workspaces/{id}/run-types), with the caller's rights in it:
// which types the type filter offers and whether "Start inventory sync" is offered. DOM-free.

/**
 * @typedef {{ name: string, displayName?: string, capability?: string, plane?: string, owningService?: string,
 *   available?: boolean, canStart?: boolean, canView?: boolean }} RunType
 *   proto3 JSON omits false booleans, so a missing available/canStart/canView means false. The server never says
 *   canStart for a type that is not available (no service handles it yet), so canStart alone decides what is offered.
 * @typedef {{ value: string, label: string }} FilterOption
 */

export const INVENTORY_SYNC = 'inventory.sync';
export const ALL_TYPES = Object.freeze({ value: '', label: 'All types' });

/**
 * The catalogue from the response body, keeping only entries with a name.
 * @param {unknown} data
 * @returns {RunType[]}
 */
export function parseRunTypes(data) {
  const list = data !== null && typeof data === 'object' ? /** @type {{ runTypes?: unknown }} */ (data).runTypes : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter((t) => t !== null && typeof t === 'object' && typeof t.name === 'string' && t.name);
}

/**
 * The type filter's options: "All types" first, then every type the caller may view, by display name, in the
 * server's order (the value sent is the type name).
 * @param {readonly RunType[]} runTypes
 * @returns {FilterOption[]}
 */
export function typeFilterOptions(runTypes) {
  return [ALL_TYPES, ...runTypes.filter((t) => t.canView === true).map((t) => ({ value: t.name, label: t.displayName || t.name }))];
}

/**
 * The selection to keep after the options change: the same type if it is still offered, else all types.
 * @param {readonly FilterOption[]} options
 * @param {string} current
 */
export function keptSelection(options, current) {
  return options.some((o) => o.value === current) ? current : ALL_TYPES.value;
}

/**
 * Whether the caller may start a run of the type in this workspace (the server decided, false for an unavailable
 * type; false if it is unknown).
 * @param {readonly RunType[]} runTypes
 * @param {string} name
 */
export function canStart(runTypes, name) {
  return runTypes.some((t) => t.name === name && t.canStart === true);
}
