// @ts-check
// Small DOM helpers: element building, dialogs, toasts. No framework: the console is a few
// pages of tables and forms, and plain modules need no build step.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | EventListener | undefined | null>} Attrs
 */

/**
 * Build an element: `h("a", { href: "#/" }, "home")`. Keys starting with `on` add listeners.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child | Child[])[]} children
 */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : String(child));
  }
}

/**
 * Replace the content of `el`.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

/** @param {unknown} value */
export function json(value) {
  return JSON.stringify(value, null, 2);
}

/**
 * Ask before a destructive action; resolves true when confirmed.
 * @param {string} title
 * @param {string} message
 * @param {string} [okLabel]
 * @returns {Promise<boolean>}
 */
export function confirmAction(title, message, okLabel = "Confirm") {
  const dialog = /** @type {HTMLDialogElement} */ (byId("confirm-dialog"));
  byId("confirm-title").textContent = title;
  byId("confirm-message").textContent = message;
  byId("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** @type {number | undefined} */
let toastTimer;

/** @param {string} message */
export function toast(message) {
  const el = byId("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.hidden = true), 3000);
}

/**
 * An error box for a failed request.
 * @param {unknown} error
 */
export function errorBox(error) {
  const text = error instanceof Error ? error.message : String(error);
  return h("div", { class: "error", role: "alert" }, text);
}

/**
 * A document shortened for a table cell.
 * @param {string | null | undefined} text
 * @param {number} [max]
 */
export function shorten(text, max = 240) {
  if (text === null || text === undefined) return "";
  return text.length > max ? text.slice(0, max) + "…" : text;
}
