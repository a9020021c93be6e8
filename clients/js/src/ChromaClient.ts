/**
 * `ChromaClient`: the entry point. It holds the server address, tenant, database and
 * credentials, manages collections, and hands out `Collection` objects for record work.
 */
import { Collection } from "./Collection.js";
import type { IEmbeddingFunction } from "./embeddings.js";
import { ChromaValueError } from "./errors.js";
import { Transport, type AuthOptions, type FetchFunction } from "./http.js";
import { isParamsObject } from "./records.js";
import type { CollectionMetadata, CollectionModel, PreflightChecks } from "./types.js";

/** The tenant and database used when none is given. */
export const DEFAULT_TENANT = "default_tenant";
export const DEFAULT_DATABASE = "default_database";

/** Options of `new ChromaClient(...)`; all optional. */
export interface ChromaClientParams {
  /** The server's address, e.g. `http://localhost:8000` (the default). Wins over host/port/ssl. */
  path?: string;
  /** Server host when `path` is not given; default `localhost`. */
  host?: string;
  /** Server port when `path` is not given; default 8000. */
  port?: number;
  /** Use https when `path` is not given. */
  ssl?: boolean;
  tenant?: string;
  database?: string;
  /** Credentials; see {@link AuthOptions}. */
  auth?: AuthOptions;
  /** Headers sent with every request, e.g. `{"X-Chroma-Token": "..."}`. */
  headers?: Record<string, string>;
  /** Extra options for every `fetch` call. */
  fetchOptions?: RequestInit;
  /** A `fetch` implementation to use instead of the global one. */
  fetch?: FetchFunction;
}

/** Arguments of `createCollection` / `getOrCreateCollection` in object form. */
export interface CreateCollectionParams {
  name: string;
  metadata?: CollectionMetadata;
  /** Computes embeddings for documents and query texts given without them. */
  embeddingFunction?: IEmbeddingFunction;
  /** Passed to the server as the collection's configuration. */
  configuration?: Record<string, unknown>;
  /**
   * Passed to the server as the collection's schema (its JSON form), e.g. a sparse vector
   * index on a metadata key: `{keys: {sp: {sparse_vector: {sparse_vector_index: {enabled: true, config: {}}}}}}`.
   */
  schema?: Record<string, unknown>;
}

/** Arguments of `getCollection` in object form. */
export interface GetCollectionParams {
  name: string;
  embeddingFunction?: IEmbeddingFunction;
}

/** Arguments of `deleteCollection` in object form. */
export interface DeleteCollectionParams {
  name: string;
}

/** Arguments of `listCollections`. */
export interface ListCollectionsParams {
  limit?: number;
  offset?: number;
}

/**
 * A client of one Chroma server.
 *
 * ```ts
 * import { ChromaClient } from "chromadb";
 * const client = new ChromaClient({ path: "http://localhost:8000" });
 * const collection = await client.createCollection("testname");
 * ```
 */
export class ChromaClient {
  /** The server's address. */
  readonly path: string;
  readonly tenant: string;
  readonly database: string;
  readonly #transport: Transport;

  constructor(params: ChromaClientParams = {}) {
    this.path = params.path ?? addressOf(params);
    this.tenant = params.tenant ?? DEFAULT_TENANT;
    this.database = params.database ?? DEFAULT_DATABASE;
    this.#transport = new Transport({
      baseUrl: this.path,
      headers: params.headers,
      auth: params.auth,
      fetchOptions: params.fetchOptions,
      fetch: params.fetch,
    });
  }

  /** `/api/v2/tenants/{tenant}/databases/{database}/collections` */
  private get collectionsPath(): string {
    const tenant = encodeURIComponent(this.tenant);
    const database = encodeURIComponent(this.database);
    return `/api/v2/tenants/${tenant}/databases/${database}/collections`;
  }

  private collection(model: CollectionModel, embeddingFunction?: IEmbeddingFunction) {
    return new Collection(this.#transport, this.collectionsPath, model, embeddingFunction);
  }

  /** The server's clock in nanoseconds since the epoch; resolves when the server is up. */
  async heartbeat(): Promise<number> {
    const answer = await this.#transport.request<Record<string, number>>("GET", "/api/v2/heartbeat");
    return answer["nanosecond heartbeat"];
  }

  /** The server's version string. */
  async version(): Promise<string> {
    return this.#transport.request<string>("GET", "/api/v2/version");
  }

  /** The server's limits, e.g. `max_batch_size` (the most records one add may carry). */
  async preflightChecks(): Promise<PreflightChecks> {
    return this.#transport.request<PreflightChecks>("GET", "/api/v2/pre-flight-checks");
  }

  /** The most records one add, update or upsert may carry. */
  async getMaxBatchSize(): Promise<number> {
    return (await this.preflightChecks()).max_batch_size;
  }

  /** Delete every collection and record. The server refuses unless it allows reset. */
  async reset(): Promise<boolean> {
    return this.#transport.request<boolean>("POST", "/api/v2/reset");
  }

  /** The collections of this tenant and database, oldest first. */
  async listCollections(params: ListCollectionsParams = {}): Promise<Collection[]> {
    const models = await this.#transport.request<CollectionModel[]>(
      "GET",
      this.collectionsPath,
      undefined,
      { limit: params.limit, offset: params.offset },
    );
    return models.map((model) => this.collection(model));
  }

  /** How many collections this tenant and database hold. */
  async countCollections(): Promise<number> {
    return this.#transport.request<number>("GET", `${this.collectionsPath}_count`);
  }

  /**
   * Create a collection; a name already taken is a `ChromaUniqueError`.
   *
   * ```ts
   * await client.createCollection("testname");
   * await client.createCollection({ name: "docs", metadata: { "hnsw:space": "cosine" }, embeddingFunction });
   * ```
   */
  async createCollection(params: CreateCollectionParams): Promise<Collection>;
  async createCollection(
    name: string,
    metadata?: CollectionMetadata,
    embeddingFunction?: IEmbeddingFunction,
  ): Promise<Collection>;
  async createCollection(
    first: string | CreateCollectionParams,
    metadata?: CollectionMetadata,
    embeddingFunction?: IEmbeddingFunction,
  ): Promise<Collection> {
    return this.create(toCreateParams(first, metadata, embeddingFunction), false);
  }

  /** The collection of that name, created first if it does not exist. Same arguments as `createCollection`. */
  async getOrCreateCollection(params: CreateCollectionParams): Promise<Collection>;
  async getOrCreateCollection(
    name: string,
    metadata?: CollectionMetadata,
    embeddingFunction?: IEmbeddingFunction,
  ): Promise<Collection>;
  async getOrCreateCollection(
    first: string | CreateCollectionParams,
    metadata?: CollectionMetadata,
    embeddingFunction?: IEmbeddingFunction,
  ): Promise<Collection> {
    return this.create(toCreateParams(first, metadata, embeddingFunction), true);
  }

  private async create(params: CreateCollectionParams, getOrCreate: boolean) {
    requireName(params.name);
    const model = await this.#transport.request<CollectionModel>("POST", this.collectionsPath, {
      name: params.name,
      metadata: params.metadata,
      configuration: params.configuration,
      schema: params.schema,
      get_or_create: getOrCreate,
    });
    return this.collection(model, params.embeddingFunction);
  }

  /** An existing collection; a missing one is a `ChromaNotFoundError`. */
  async getCollection(params: GetCollectionParams): Promise<Collection>;
  async getCollection(name: string, embeddingFunction?: IEmbeddingFunction): Promise<Collection>;
  async getCollection(
    first: string | GetCollectionParams,
    embeddingFunction?: IEmbeddingFunction,
  ): Promise<Collection> {
    const params = isParamsObject(first) ? first : { name: first, embeddingFunction };
    requireName(params.name);
    const model = await this.#transport.request<CollectionModel>(
      "GET",
      `${this.collectionsPath}/${encodeURIComponent(params.name)}`,
    );
    return this.collection(model, params.embeddingFunction);
  }

  /** Delete a collection and its records; a missing one is a `ChromaNotFoundError`. */
  async deleteCollection(params: DeleteCollectionParams): Promise<void>;
  async deleteCollection(name: string): Promise<void>;
  async deleteCollection(first: string | DeleteCollectionParams): Promise<void> {
    const name = requireName(isParamsObject(first) ? first.name : first);
    await this.#transport.request("DELETE", `${this.collectionsPath}/${encodeURIComponent(name)}`);
  }
}

/** Collection names travel in URLs: catch a missing one here rather than ask for "undefined". */
function requireName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new ChromaValueError("A collection name (a non-empty string) is required");
  }
  return name;
}

function addressOf(params: ChromaClientParams): string {
  const scheme = params.ssl ? "https" : "http";
  return `${scheme}://${params.host ?? "localhost"}:${params.port ?? 8000}`;
}

function toCreateParams(
  first: string | CreateCollectionParams,
  metadata?: CollectionMetadata,
  embeddingFunction?: IEmbeddingFunction,
): CreateCollectionParams {
  return isParamsObject(first) ? first : { name: first, metadata, embeddingFunction };
}
