// @ts-check
// The restore wizard's step indicator (modules/restore.mjs decides the step): a list whose current step carries
// aria-current="step", so a screen reader says where the user is.

import { el } from '../modules/dom.mjs';
import { stepStates } from '../modules/restore.mjs';

/** @param {HTMLElement} list an <ol> @param {import('../modules/restore.mjs').StepKey} current */
export function renderSteps(list, current) {
  list.replaceChildren(...stepStates(current).map((step, i) => {
    const item = el('li', { cls: `step ${step.state}`, testid: `step-${step.key}`, text: `${i + 1}. ${step.label}` });
    if (step.state === 'current') item.setAttribute('aria-current', 'step');
    return item;
  }));
}
