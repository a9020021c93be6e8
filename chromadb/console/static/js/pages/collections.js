// @ts-check
// A database's collections: name, id, record count, metadata and configuration.
import { Api } from "../api.js";
import { h, json, replace } from "../dom.js";

const PAGE = 50;

/**
 * @param {HTMLElement} view
 * @param {Api} api
 * @param {string} tenant
 * @param {string} database
 */
export async function renderCollections(view, api, tenant, database) {
  const total = await api.countCollections(tenant, database);
  const body = h("tbody");
  const status = h("span", { class: "muted" });
  const prev = h("button", { type: "button" }, "Previous");
  const next = h("button", { type: "button" }, "Next");
  let offset = 0;

  async function load() {
    const list = await api.collections(tenant, database, PAGE, offset);
    const counts = await Promise.all(list.map((c) => api.count(c)));
    const base = `#/tenants/${encodeURIComponent(tenant)}/databases/${encodeURIComponent(database)}`;
    replace(body, list.map((c, i) =>
      h("tr", { "data-collection": c.name },
        h("td", {}, h("a", { href: `${base}/collections/${encodeURIComponent(c.name)}` }, c.name),
          h("div", { class: "muted mono small" }, c.id)),
        h("td", { class: "num count" }, counts[i]),
        h("td", {}, h("pre", { class: "metadata" }, c.metadata ? json(c.metadata) : "—")),
        h("td", {}, h("details", {}, h("summary", {}, describeConfig(c.configuration_json)),
          h("pre", { class: "configuration" }, json(c.configuration_json)))),
      ),
    ));
    status.textContent = total
      ? `${offset + 1}–${offset + list.length} of ${total}` : "No collections";
    prev.disabled = offset === 0;
    next.disabled = offset + PAGE >= total;
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener("click", () => { offset += PAGE; load(); });

  replace(
    view,
    h("h1", {}, `Collections in ${database}`),
    h("table", { id: "collections" },
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Records"),
        h("th", {}, "Metadata"), h("th", {}, "Configuration"))),
      body),
    h("div", { class: "pager" }, prev, next, status),
  );
  await load();
}

/** @param {Record<string, any> | null} config a one-line summary: space and embedding function */
function describeConfig(config) {
  const space = config?.hnsw?.space || "l2";
  const ef = config?.embedding_function;
  const efName = ef?.type === "known" ? ef.name : "set by the client";
  return `${space} · embeddings: ${efName}`;
}
