// @ts-check
// Element look-up by data-testid (the same hooks the browser tests use) and building nodes with textContent only:
// nothing is ever parsed as HTML, and no inline style or script is needed (strict CSP).

/** @param {string} id @returns {HTMLElement} */
export function $(id) {
  const node = document.querySelector(`[data-testid="${id}"]`);
  if (!(node instanceof HTMLElement)) throw new Error(`missing element ${id}`);
  return node;
}

/**
 * An element of a known kind, checked, so its typed properties (value, max…) can be used.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function $as(id, type) {
  const node = $(id);
  if (!(node instanceof type)) throw new Error(`element ${id} is not a ${type.name}`);
  return node;
}

/** @param {string} id @param {string | null | undefined} text */
export function setText(id, text) {
  $(id).textContent = text ?? '';
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ testid?: string, cls?: string, text?: unknown, title?: string }} [props]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, { testid, cls, text, title } = {}, children = []) {
  const node = document.createElement(tag);
  if (testid) node.dataset.testid = testid;
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (title) node.title = title;
  for (const child of children) node.append(child);
  return node;
}

/**
 * An <option> with its value and label.
 * @param {string} value
 * @param {string} label
 */
export function option(value, label) {
  const node = el('option', { text: label });
  node.value = value;
  return node;
}

/**
 * Click and Enter/Space on items of a list (delegated, so rows added later work too).
 * @param {HTMLElement} container
 * @param {string} selector
 * @param {(target: HTMLElement) => void} handler
 */
export function onActivate(container, selector, handler) {
  /** @param {Event} e */
  const targetOf = (e) => {
    const target = e.target instanceof Element ? e.target.closest(selector) : null;
    return target instanceof HTMLElement && container.contains(target) ? target : null;
  };
  container.addEventListener('click', (e) => {
    const target = targetOf(e);
    if (target) handler(target);
  });
  container.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const target = targetOf(e);
    if (target) {
      e.preventDefault();
      handler(target);
    }
  });
}
