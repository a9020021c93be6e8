// @ts-check
// Tenants and databases: the tenant the server says you are (or the one you name), its
// databases and how many collections each holds.
import { Api } from "../api.js";
import { h, replace } from "../dom.js";

/**
 * @param {HTMLElement} view
 * @param {Api} api
 * @param {string} [tenant] from the address; else the caller's own tenant
 */
export async function renderHome(view, api, tenant) {
  const identity = await api.identity();
  const name = tenant || identity.tenant;
  await api.tenant(name);
  const databases = await api.databases(name);
  const counts = await Promise.all(databases.map((d) => api.countCollections(name, d.name)));

  const input = h("input", { id: "tenant-name", value: name, "aria-label": "Tenant" });
  const open = h("form", {
    class: "row",
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      location.hash = `#/tenants/${encodeURIComponent(input.value.trim())}`;
    },
  }, h("label", {}, "Tenant "), input, h("button", { type: "submit" }, "Open"));

  const cards = databases.map((d, i) =>
    h("a", {
      class: "panel card database",
      href: `#/tenants/${encodeURIComponent(name)}/databases/${encodeURIComponent(d.name)}`,
      "data-database": d.name,
    },
      h("h3", {}, d.name),
      h("span", { class: "muted" }, `${counts[i]} collection${counts[i] === 1 ? "" : "s"}`)),
  );
  replace(
    view,
    h("h1", {}, `Tenant ${name}`),
    open,
    h("h2", {}, "Databases"),
    cards.length ? h("div", { class: "cards", id: "databases" }, cards)
      : h("p", { class: "muted" }, "This tenant has no databases."),
  );
}
