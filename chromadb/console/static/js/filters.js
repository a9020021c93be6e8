// @ts-check
// The filter builder: rows of (metadata key, operator, value) joined by $and into a `where`,
// and one document condition for `where_document`. The resulting JSON is shown as it will be
// sent, so the builder also teaches the filter syntax.
import { h, json, replace } from "./dom.js";

const WHERE_OPS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"];
const DOC_OPS = ["$contains", "$not_contains", "$regex", "$not_regex"];

/**
 * @typedef {{ where: Record<string, unknown> | null, whereDocument: Record<string, unknown> | null }} Filter
 */

/**
 * A typed value from what was typed: numbers and booleans as such, "quoted" as text.
 * @param {string} text
 * @returns {unknown}
 */
export function parseValue(text) {
  const t = text.trim();
  if (t === "true" || t === "false") return t === "true";
  if (t !== "" && !Number.isNaN(Number(t))) return Number(t);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return t;
}

/**
 * @param {string[]} keys metadata keys offered in the key field
 * @param {(filter: Filter) => void} onApply
 */
export function filterBuilder(keys, onApply) {
  const rows = h("div", { class: "where-rows" });
  const list = h("datalist", { id: "metadata-keys" }, keys.map((k) => h("option", { value: k })));
  const docOp = h("select", { id: "doc-op", "aria-label": "Document operator" },
    DOC_OPS.map((op) => h("option", { value: op }, op)));
  const docText = h("input", { id: "doc-text", placeholder: "document text", size: 30 });
  const preview = h("pre", { class: "filter-json", id: "filter-json" });

  function addRow() {
    const key = h("input", { class: "where-key", list: "metadata-keys", placeholder: "metadata key" });
    const op = h("select", { class: "where-op", "aria-label": "Operator" },
      WHERE_OPS.map((o) => h("option", { value: o }, o)));
    const value = h("input", { class: "where-value", placeholder: "value (a, b for $in)" });
    const row = h("div", { class: "row where-row" }, key, op, value,
      h("button", { type: "button", title: "Remove", onclick: () => { row.remove(); show(); } }, "×"));
    for (const el of [key, op, value]) el.addEventListener("input", show);
    rows.append(row);
  }

  /** @returns {Filter} */
  function current() {
    /** @type {Record<string, unknown>[]} */
    const clauses = [];
    for (const row of rows.querySelectorAll(".where-row")) {
      const key = /** @type {HTMLInputElement} */ (row.querySelector(".where-key")).value.trim();
      const op = /** @type {HTMLSelectElement} */ (row.querySelector(".where-op")).value;
      const raw = /** @type {HTMLInputElement} */ (row.querySelector(".where-value")).value;
      if (!key) continue;
      const value = op === "$in" || op === "$nin"
        ? raw.split(",").filter((s) => s.trim() !== "").map(parseValue)
        : parseValue(raw);
      clauses.push({ [key]: { [op]: value } });
    }
    const where = clauses.length === 0 ? null : clauses.length === 1 ? clauses[0] : { $and: clauses };
    const text = docText.value;
    const whereDocument = text ? { [docOp.value]: text } : null;
    return { where, whereDocument };
  }

  function show() {
    const { where, whereDocument } = current();
    replace(preview, json({ where, where_document: whereDocument }));
  }

  docText.addEventListener("input", show);
  docOp.addEventListener("input", show);
  show();
  const element = h("form", {
    class: "panel filters",
    id: "filters",
    onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); onApply(current()); },
  },
    h("h2", {}, "Filter"), list, rows,
    h("div", { class: "row" },
      h("button", { type: "button", id: "add-condition", onclick: () => { addRow(); show(); } },
        "+ metadata condition")),
    h("div", { class: "row" }, h("label", {}, "Document "), docOp, docText),
    preview,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "primary", id: "apply-filter" }, "Apply"),
      h("button", { type: "button", id: "clear-filter", onclick: () => {
        rows.replaceChildren(); docText.value = ""; show(); onApply(current());
      } }, "Clear")),
  );
  return { element, current };
}
