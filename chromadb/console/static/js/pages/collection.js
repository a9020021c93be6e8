// @ts-check
// One collection: its records in a paged, filterable table, a query box, and the map.
import { Api, embedsText } from "../api.js";
import { errorBox, h, json, replace, shorten } from "../dom.js";
import { filterBuilder } from "../filters.js";
import { renderMap } from "../map.js";
import { openRecord } from "../record.js";

const PAGE = 25;

/**
 * @typedef {import("../api.js").CollectionInfo} CollectionInfo
 * @typedef {import("../filters.js").Filter} Filter
 */

/** The last query's result ids per collection id: the map highlights them. */
/** @type {Map<string, string[]>} */
export const lastResults = new Map();

/**
 * @param {HTMLElement} view
 * @param {Api} api
 * @param {string} tenant
 * @param {string} database
 * @param {string} name
 * @param {string} tab "records" or "map"
 */
export async function renderCollection(view, api, tenant, database, name, tab) {
  const c = await api.collection(tenant, database, name);
  const total = await api.count(c);
  const base = `#/tenants/${encodeURIComponent(tenant)}/databases/${encodeURIComponent(database)}` +
    `/collections/${encodeURIComponent(name)}`;
  const content = h("div", { id: "tab-content" });
  replace(view,
    h("h1", {}, name, " ", h("span", { class: "muted small", id: "record-count" }, `${total} records`)),
    h("div", { class: "tabs" },
      h("a", { href: base, class: tab === "map" ? "" : "active", id: "tab-records" }, "Records"),
      h("a", { href: `${base}/map`, class: tab === "map" ? "active" : "", id: "tab-map" }, "Map")),
    content);
  /** @param {string} id */
  const like = (id) => { pendingLike = id; location.hash = base; };
  if (tab === "map") {
    await renderMap(content, api, c, lastResults.get(c.id) || [], (id) =>
      openRecord(api, c, id, { onChanged: () => renderMap(content, api, c, [], () => undefined), onLike: like }));
    return;
  }
  await renderRecords(content, api, c, base);
}

/** A "more like this" asked for from the map: run once the records tab is shown. */
/** @type {string | null} */
let pendingLike = null;

/**
 * The records tab.
 * @param {HTMLElement} root
 * @param {Api} api
 * @param {CollectionInfo} c
 * @param {string} base
 */
async function renderRecords(root, api, c, base) {
  const sample = await api.get(c, { limit: 200, include: ["metadatas"] });
  const keys = [...new Set((sample.metadatas || []).flatMap((m) => Object.keys(m || {})))].sort();
  /** @type {Filter} */
  let filter = { where: null, whereDocument: null };
  let offset = 0;
  const table = h("tbody");
  const status = h("span", { class: "muted", id: "page-status" });
  const problem = h("div");
  const prev = h("button", { type: "button", id: "page-prev" }, "Previous");
  const next = h("button", { type: "button", id: "page-next" }, "Next");
  const hooks = { onChanged: () => { load(); }, onLike: (/** @type {string} */ id) => runQuery({ like: id }) };

  async function load() {
    replace(problem);
    let page;
    try {
      page = await api.get(c, {
        limit: PAGE, offset, where: filter.where, where_document: filter.whereDocument,
        include: ["documents", "metadatas"],
      });
    } catch (e) {
      replace(problem, errorBox(e));
      return;
    }
    replace(table, page.ids.map((id, i) => recordRow(id, page.documents?.[i], page.metadatas?.[i], null,
      () => openRecord(api, c, id, hooks))));
    if (!page.ids.length) replace(table, h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No records match.")));
    status.textContent = page.ids.length
      ? `Records ${offset + 1}–${offset + page.ids.length}` : "";
    prev.disabled = offset === 0;
    next.disabled = page.ids.length < PAGE;
    const count = await api.count(c);
    const counter = document.getElementById("record-count");
    if (counter) counter.textContent = `${count} records`;
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener("click", () => { offset += PAGE; load(); });

  const builder = filterBuilder(keys, (f) => { filter = f; offset = 0; load(); });
  const query = queryBox(api, c, base, () => builder.current(), hooks);
  /** @param {{ like: string }} q */
  function runQuery(q) { query.run(q); }

  replace(root,
    h("div", { class: "split" }, builder.element, query.element),
    problem,
    h("table", { id: "records" },
      h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Document"), h("th", {}, "Metadata"))),
      table),
    h("div", { class: "pager" }, prev, next, status));
  await load();
  if (pendingLike !== null) {
    const id = pendingLike;
    pendingLike = null;
    await query.run({ like: id });
  }
}

/**
 * @param {string} id
 * @param {string | null | undefined} doc
 * @param {Record<string, unknown> | null | undefined} meta
 * @param {number | null} distance
 * @param {() => void} open
 */
function recordRow(id, doc, meta, distance, open) {
  return h("tr", {
    class: "clickable record", "data-id": id, tabindex: 0, onclick: open,
    onkeydown: (/** @type {Event} */ e) => { if (/** @type {KeyboardEvent} */ (e).key === "Enter") open(); },
  },
    h("td", { class: "mono" }, id),
    distance === null ? null : h("td", { class: "num distance" }, distance.toFixed(4)),
    h("td", { class: "doc" }, shorten(doc)),
    h("td", {}, h("code", { class: "meta" }, meta ? JSON.stringify(meta) : "")));
}

/**
 * The query box: text (embedded by the server with the collection's function) or a record.
 * @param {Api} api
 * @param {CollectionInfo} c
 * @param {string} base
 * @param {() => Filter} currentFilter
 * @param {import("../record.js").RecordHooks} hooks
 */
function queryBox(api, c, base, currentFilter, hooks) {
  const canEmbed = embedsText(c);
  const mode = h("select", { id: "query-mode", "aria-label": "Query by" },
    h("option", { value: "text", disabled: !canEmbed }, "text"),
    h("option", { value: "like", selected: !canEmbed }, "more like record"));
  const text = h("input", { id: "query-text", size: 36, placeholder: canEmbed ? "query text" : "record id" });
  const n = h("input", { id: "query-n", type: "number", min: 1, max: 1000, value: 10, style: "width: 5em" });
  const results = h("div", { id: "query-results" });

  /** @param {{ text?: string, like?: string }} q */
  async function run(q) {
    if (q.like !== undefined) { mode.value = "like"; text.value = q.like; }
    const value = text.value.trim();
    if (!value) return;
    replace(results, h("p", { class: "muted" }, "Searching…"));
    try {
      let embedding;
      if (mode.value === "text") {
        embedding = (await api.embed(c, [value]))[0];
      } else {
        const got = await api.get(c, { ids: [value], include: ["embeddings"] });
        if (!got.ids.length) throw new Error(`No record with id "${value}"`);
        embedding = /** @type {number[][]} */ (got.embeddings)[0];
      }
      const { where, whereDocument } = currentFilter();
      const answer = await api.query(c, {
        query_embeddings: [embedding], n_results: Number(n.value) || 10, where,
        where_document: whereDocument, include: ["documents", "metadatas", "distances"],
      });
      const ids = answer.ids[0];
      lastResults.set(c.id, ids);
      replace(results,
        h("div", { class: "row" }, h("span", { class: "muted" }, `${ids.length} nearest`),
          h("a", { href: `${base}/map`, id: "show-on-map" }, "show on the map")),
        h("table", { id: "query-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Distance"), h("th", {}, "Document"), h("th", {}, "Metadata"))),
          h("tbody", {}, ids.map((id, i) => recordRow(id, answer.documents?.[0][i], answer.metadatas?.[0][i],
            answer.distances?.[0][i] ?? null, () => openRecord(api, c, id, hooks))))));
    } catch (e) {
      replace(results, errorBox(e));
    }
  }

  const element = h("form", {
    class: "panel query", id: "query",
    onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); run({}); },
  },
    h("h2", {}, "Query"),
    h("div", { class: "row" }, mode, text, h("label", {}, "n "), n,
      h("button", { type: "submit", class: "primary", id: "query-run" }, "Search")),
    canEmbed ? null : h("p", { class: "muted small" },
      "This collection's embeddings come from its client, so the server cannot embed text: query by a record."),
    h("p", { class: "muted small" }, "The filter on the left applies to queries too."),
    results);
  return { element, run };
}
