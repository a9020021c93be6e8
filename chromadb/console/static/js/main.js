// @ts-check
// Boot and routing. Pages live in the location hash, so the server serves one page at `/` and
// every view can be bookmarked: #/tenants/T/databases/D/collections/C[/map].
import { Api } from "./api.js";
import { byId, errorBox, h, replace } from "./dom.js";
import { renderHome } from "./pages/home.js";
import { renderCollections } from "./pages/collections.js";
import { renderCollection } from "./pages/collection.js";

/**
 * Show the sign-in dialog; resolves with what the user typed.
 * @param {string} reason
 * @returns {Promise<string>}
 */
function askCredentials(reason) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("login-dialog"));
  const input = /** @type {HTMLInputElement} */ (byId("login-token"));
  byId("login-reason").textContent = reason;
  input.value = "";
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => {
    const form = /** @type {HTMLFormElement} */ (byId("login-form"));
    form.addEventListener(
      "submit",
      () => {
        byId("logout").hidden = false;
        resolve(input.value);
      },
      { once: true },
    );
  });
}

const api = new Api(askCredentials);

/** @param {string[]} parts */
function crumbs(parts) {
  const nav = byId("crumbs");
  /** @type {(Node | string)[]} */
  const links = [];
  let href = "#";
  const labels = ["", "tenant", "", "database", "", "collection"];
  parts.slice(0, 6).forEach((part, i) => {
    href += "/" + encodeURIComponent(part);
    if (i % 2 === 1) {
      if (links.length) links.push(h("span", { class: "sep" }, "/"));
      links.push(h("a", { href, title: labels[i] }, part));
    }
  });
  replace(nav, links);
}

async function route() {
  const view = byId("view");
  const parts = location.hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent);
  crumbs(parts);
  try {
    if (parts[0] === "tenants" && parts[2] === "databases" && parts[4] === "collections") {
      await renderCollection(view, api, parts[1], parts[3], parts[5], parts[6] || "records");
    } else if (parts[0] === "tenants" && parts[2] === "databases" && parts[3]) {
      await renderCollections(view, api, parts[1], parts[3]);
    } else {
      await renderHome(view, api, parts[0] === "tenants" ? parts[1] : undefined);
    }
  } catch (error) {
    replace(view, errorBox(error));
  }
}

byId("logout").hidden = !api.signedIn;
byId("logout").addEventListener("click", () => {
  api.forget();
  byId("logout").hidden = true;
  route();
});
window.addEventListener("hashchange", route);
api.version().then(
  (v) => (byId("server-version").textContent = `server ${v}`),
  () => undefined,
);
route();
