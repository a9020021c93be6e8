// @ts-check
// The console's only way to the server: the public REST API (v2) plus the two console routes.
// Credentials, when the server asks for them, are kept in sessionStorage (this tab only).

const AUTH_KEY = "chromadb-console-auth";

/** An answer with an error status: `name` is the server's error class. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} name
   * @param {string} message
   */
  constructor(status, name, message) {
    super(`${name}: ${message}`);
    this.status = status;
    this.errorName = name;
  }
}

/**
 * @typedef {{ scheme: "bearer" | "basic", secret: string }} Credentials
 * @typedef {(reason: string) => Promise<string>} AskCredentials
 * @typedef {{ id: string, name: string, metadata: Record<string, unknown> | null,
 *   configuration_json: Record<string, any> | null, dimension: number | null,
 *   tenant: string, database: string }} CollectionInfo
 * @typedef {{ ids: string[], documents: (string | null)[] | null,
 *   metadatas: (Record<string, unknown> | null)[] | null, embeddings: number[][] | null }} GetResult
 * @typedef {{ ids: string[][], documents: (string | null)[][] | null,
 *   metadatas: (Record<string, unknown> | null)[][] | null, distances: number[][] | null }} QueryResult
 */

/** @returns {Credentials | null} */
function storedCredentials() {
  const raw = sessionStorage.getItem(AUTH_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/**
 * @param {Credentials} credentials
 * @returns {Record<string, string>}
 */
function authHeaders(credentials) {
  if (credentials.scheme === "basic") {
    const bytes = new TextEncoder().encode(credentials.secret);
    return { Authorization: "Basic " + btoa(String.fromCharCode(...bytes)) };
  }
  return { Authorization: "Bearer " + credentials.secret };
}

export class Api {
  /** @param {AskCredentials} ask called when the server answers 401; resolves the secret */
  constructor(ask) {
    this.ask = ask;
    /** @type {Credentials | null} */
    this.credentials = storedCredentials();
  }

  get signedIn() {
    return this.credentials !== null;
  }

  forget() {
    this.credentials = null;
    sessionStorage.removeItem(AUTH_KEY);
  }

  /**
   * One request; on 401 asks for credentials (once per refusal) and tries again.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  async request(method, path, body) {
    for (;;) {
      /** @type {Record<string, string>} */
      const headers = this.credentials ? authHeaders(this.credentials) : {};
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      /** @type {any} */
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = { error: "InvalidResponse", message: text.slice(0, 200) };
      }
      if (response.status === 401) {
        const reason = (data && data.message) || "The server needs credentials";
        const secret = await this.ask(reason);
        const scheme = /basic/i.test(reason) ? "basic" : "bearer";
        this.credentials = { scheme, secret };
        sessionStorage.setItem(AUTH_KEY, JSON.stringify(this.credentials));
        continue;
      }
      if (!response.ok) {
        throw new ApiError(response.status, data?.error || "Error", data?.message || text);
      }
      return data;
    }
  }

  // -- paths ---------------------------------------------------------------------------------
  /** @param {string} tenant @param {string} [database] */
  static base(tenant, database) {
    const t = `/api/v2/tenants/${encodeURIComponent(tenant)}`;
    return database === undefined ? t : `${t}/databases/${encodeURIComponent(database)}`;
  }

  /** @param {CollectionInfo} c */
  static collectionPath(c) {
    return `${Api.base(c.tenant, c.database)}/collections/${c.id}`;
  }

  /** @param {CollectionInfo} c */
  static consolePath(c) {
    const t = encodeURIComponent(c.tenant);
    const d = encodeURIComponent(c.database);
    return `/console/api/tenants/${t}/databases/${d}/collections/${c.id}`;
  }

  // -- calls ---------------------------------------------------------------------------------
  /** @returns {Promise<string>} */
  version() {
    return this.request("GET", "/api/v2/version");
  }

  /** @returns {Promise<{ tenant: string, databases: string[] }>} */
  identity() {
    return this.request("GET", "/api/v2/auth/identity");
  }

  /** @param {string} tenant */
  tenant(tenant) {
    return this.request("GET", Api.base(tenant));
  }

  /** @param {string} tenant @returns {Promise<{ name: string, tenant: string }[]>} */
  databases(tenant) {
    return this.request("GET", `${Api.base(tenant)}/databases`);
  }

  /** @param {string} tenant @param {string} database @returns {Promise<number>} */
  countCollections(tenant, database) {
    return this.request("GET", `${Api.base(tenant, database)}/collections_count`);
  }

  /**
   * @param {string} tenant @param {string} database @param {number} limit @param {number} offset
   * @returns {Promise<CollectionInfo[]>}
   */
  collections(tenant, database, limit, offset) {
    const query = `?limit=${limit}&offset=${offset}`;
    return this.request("GET", `${Api.base(tenant, database)}/collections${query}`);
  }

  /** @param {string} tenant @param {string} database @param {string} name
   * @returns {Promise<CollectionInfo>} */
  collection(tenant, database, name) {
    const path = `${Api.base(tenant, database)}/collections/${encodeURIComponent(name)}`;
    return this.request("GET", path);
  }

  /** @param {CollectionInfo} c @returns {Promise<number>} */
  count(c) {
    return this.request("GET", `${Api.collectionPath(c)}/count`);
  }

  /** @param {CollectionInfo} c @param {Record<string, unknown>} body @returns {Promise<GetResult>} */
  get(c, body) {
    return this.request("POST", `${Api.collectionPath(c)}/get`, body);
  }

  /** @param {CollectionInfo} c @param {Record<string, unknown>} body @returns {Promise<QueryResult>} */
  query(c, body) {
    return this.request("POST", `${Api.collectionPath(c)}/query`, body);
  }

  /** @param {CollectionInfo} c @param {Record<string, unknown>} body */
  update(c, body) {
    return this.request("POST", `${Api.collectionPath(c)}/update`, body);
  }

  /** @param {CollectionInfo} c @param {string[]} ids */
  deleteRecords(c, ids) {
    return this.request("POST", `${Api.collectionPath(c)}/delete`, { ids });
  }

  /** @param {CollectionInfo} c @param {string[]} texts @returns {Promise<number[][]>} */
  async embed(c, texts) {
    const out = await this.request("POST", `${Api.consolePath(c)}/embed`, { texts });
    return out.embeddings;
  }

  /**
   * The records placed in 2-D by the server.
   * @param {CollectionInfo} c @param {string} method
   * @returns {Promise<{ method: string, methods: string[], total: number, ids: string[],
   *   points: string, keys: string[] }>}
   */
  map(c, method) {
    return this.request("GET", `${Api.consolePath(c)}/map?${new URLSearchParams({ method })}`);
  }

  /**
   * The records' categories for one metadata key.
   * @param {CollectionInfo} c @param {string} key
   * @returns {Promise<{ key: string, ids: string[], categories: string[], codes: string }>}
   */
  mapColours(c, key) {
    return this.request("GET", `${Api.consolePath(c)}/map/colours?${new URLSearchParams({ key })}`);
  }
}

/** @param {CollectionInfo} c whether the server can embed text for this collection */
export function embedsText(c) {
  const ef = c.configuration_json?.embedding_function;
  return Boolean(ef && ef.type === "known" && ef.name);
}
