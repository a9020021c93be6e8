/**
 * A collection handle: validates and normalises arguments, then calls the server's record
 * routes under `.../collections/{id}`. Every record method takes either the seed's positional
 * arguments (`add(ids, embeddings, metadatas, documents)`) or one object (`add({ids, ...})`).
 */
import type { IEmbeddingFunction } from "./embeddings.js";
import type { Transport } from "./http.js";
import {
  isParamsObject,
  prepareQueryEmbeddings,
  prepareRecords,
  toIds,
  toInclude,
  type RecordsInput,
} from "./records.js";
import { fromWireMetadatas } from "./sparse.js";
import { prepareSearches, type ReadLevel } from "./search/prepare.js";
import type { SearchLike } from "./search/plan.js";
import { SearchResult, type SearchResponse } from "./search/result.js";
import type {
  CollectionMetadata,
  CollectionModel,
  Document,
  Documents,
  EmbeddingInput,
  GetResult,
  ID,
  IDs,
  IncludeField,
  Metadata,
  Metadatas,
  QueryResult,
  Where,
  WhereDocument,
} from "./types.js";

/** Arguments of `add`, `update` and `upsert` in object form. */
export type AddParams = RecordsInput;
/** Arguments of `update` in object form. */
export type UpdateParams = RecordsInput;
/** Arguments of `upsert` in object form. */
export type UpsertParams = RecordsInput;

/** Arguments of `get` in object form. */
export interface GetParams {
  ids?: ID | IDs;
  where?: Where;
  whereDocument?: WhereDocument;
  limit?: number;
  offset?: number;
  /** Default `["metadatas", "documents"]`. */
  include?: IncludeField[];
}

/** Arguments of `query` in object form: `queryEmbeddings` or `queryTexts`, not both. */
export interface QueryParams {
  queryEmbeddings?: EmbeddingInput | EmbeddingInput[];
  queryTexts?: string | string[];
  /** How many neighbours per query; default 10. */
  nResults?: number;
  where?: Where;
  whereDocument?: WhereDocument;
  /** Default `["metadatas", "documents", "distances"]`. */
  include?: IncludeField[];
  /** Search only among these ids. */
  ids?: ID | IDs;
}

/** Options of `search`. */
export interface SearchOptions {
  /** Accepted for compatibility; our server always reads every acknowledged write. */
  readLevel?: ReadLevel;
}

/** Arguments of `delete` in object form. With none of them, every record is deleted. */
export interface DeleteParams {
  ids?: ID | IDs;
  where?: Where;
  whereDocument?: WhereDocument;
}

/** Arguments of `peek` in object form. */
export interface PeekParams {
  /** How many records; default 10. */
  limit?: number;
}

/** Arguments of `modify`: a new name and/or new metadata. */
export interface ModifyParams {
  name?: string;
  metadata?: CollectionMetadata;
}

const GET_DEFAULT: IncludeField[] = ["metadatas", "documents"];
const QUERY_DEFAULT: IncludeField[] = ["metadatas", "documents", "distances"];
const PEEK_INCLUDE: IncludeField[] = ["embeddings", "documents", "metadatas"];

/** A collection of records on the server. Get one from a `ChromaClient`. */
export class Collection {
  /** The collection's name. */
  name: string;
  /** The collection's id (a UUID). */
  readonly id: string;
  /** The collection's metadata. */
  metadata: CollectionMetadata | null;
  /** Computes embeddings for documents and query texts given without them. */
  embeddingFunction?: IEmbeddingFunction;
  // Private so that logging or serialising a collection shows its data, not the transport.
  readonly #transport: Transport;
  readonly #collectionsPath: string;

  /** @internal Built by `ChromaClient`; not meant to be called directly. */
  constructor(
    transport: Transport,
    collectionsPath: string,
    model: CollectionModel,
    embeddingFunction?: IEmbeddingFunction,
  ) {
    this.#transport = transport;
    this.#collectionsPath = collectionsPath;
    this.name = model.name;
    this.id = model.id;
    this.metadata = model.metadata ?? null;
    this.embeddingFunction = embeddingFunction;
  }

  private path(route = ""): string {
    return `${this.#collectionsPath}/${encodeURIComponent(this.id)}${route}`;
  }

  /** The number of records in the collection. */
  async count(): Promise<number> {
    return this.#transport.request<number>("GET", this.path("/count"));
  }

  /**
   * Add records; every id must be new (a taken id is a `ChromaUniqueError`). Embeddings may be
   * left out when documents are given and the collection has an embedding function.
   *
   * ```ts
   * await collection.add("id1", [1.5, 2.9, 3.4], { source: "my_source" }, "This is a document");
   * await collection.add({ ids: ["a", "b"], documents: ["doc a", "doc b"] });
   * ```
   */
  async add(params: AddParams): Promise<void>;
  async add(
    ids: ID | IDs,
    embeddings?: EmbeddingInput | EmbeddingInput[],
    metadatas?: Metadata | Metadatas,
    documents?: Document | Documents,
  ): Promise<void>;
  async add(...args: unknown[]): Promise<void> {
    await this.writeRecords("/add", recordsArgs(args), true);
  }

  /** Change existing records; unknown ids are skipped by the server. Same arguments as `add`. */
  async update(params: UpdateParams): Promise<void>;
  async update(
    ids: ID | IDs,
    embeddings?: EmbeddingInput | EmbeddingInput[],
    metadatas?: Metadata | Metadatas,
    documents?: Document | Documents,
  ): Promise<void>;
  async update(...args: unknown[]): Promise<void> {
    await this.writeRecords("/update", recordsArgs(args), false);
  }

  /** Add the records that are new and update the ones that exist. Same arguments as `add`. */
  async upsert(params: UpsertParams): Promise<void>;
  async upsert(
    ids: ID | IDs,
    embeddings?: EmbeddingInput | EmbeddingInput[],
    metadatas?: Metadata | Metadatas,
    documents?: Document | Documents,
  ): Promise<void>;
  async upsert(...args: unknown[]): Promise<void> {
    await this.writeRecords("/upsert", recordsArgs(args), true);
  }

  private async writeRecords(route: string, input: RecordsInput, needVectors: boolean) {
    const body = await prepareRecords(input, this.embeddingFunction, needVectors);
    await this.#transport.request("POST", this.path(route), body);
  }

  /**
   * Records by id and/or filter, in insertion order, paged by `limit` and `offset`.
   *
   * ```ts
   * await collection.get({ where: { style: "style1" }, include: ["documents"] });
   * await collection.get(["id1", "id2"]);
   * ```
   */
  async get(params?: GetParams): Promise<GetResult>;
  async get(
    ids?: ID | IDs,
    where?: Where,
    limit?: number,
    offset?: number,
    include?: IncludeField[],
    whereDocument?: WhereDocument,
  ): Promise<GetResult>;
  async get(...args: unknown[]): Promise<GetResult> {
    const p = (isParamsObject(args[0]) ? args[0] : positional(args, GET_ORDER)) as GetParams;
    const result = await this.#transport.request<GetResult>("POST", this.path("/get"), {
      ids: toIds(p.ids),
      where: p.where,
      where_document: p.whereDocument,
      limit: p.limit,
      offset: p.offset,
      include: toInclude(p.include, GET_DEFAULT),
    });
    result.metadatas = fromWireMetadatas(result.metadatas);
    return result;
  }

  /** The first records of the collection (10 unless `limit` says otherwise), with embeddings. */
  async peek(params?: PeekParams): Promise<GetResult>;
  async peek(limit?: number): Promise<GetResult>;
  async peek(arg?: PeekParams | number): Promise<GetResult> {
    const limit = (isParamsObject(arg) ? arg.limit : arg) ?? 10;
    return this.get({ limit, include: PEEK_INCLUDE });
  }

  /**
   * The `nResults` nearest records to each query embedding (or to each query text, embedded
   * with the collection's embedding function), nearest first.
   *
   * ```ts
   * await collection.query({ queryEmbeddings: [[1.1, 2.3, 3.2]], nResults: 2, where: { style: "style2" } });
   * await collection.query([[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]], 2, { style: "style2" });
   * ```
   */
  async query(params: QueryParams): Promise<QueryResult>;
  async query(
    queryEmbeddings?: EmbeddingInput | EmbeddingInput[],
    nResults?: number,
    where?: Where,
    queryTexts?: string | string[],
    whereDocument?: WhereDocument,
    include?: IncludeField[],
  ): Promise<QueryResult>;
  async query(...args: unknown[]): Promise<QueryResult> {
    const p = (isParamsObject(args[0]) ? args[0] : positional(args, QUERY_ORDER)) as QueryParams;
    const vectors = await prepareQueryEmbeddings(
      p.queryEmbeddings,
      p.queryTexts,
      this.embeddingFunction,
    );
    const result = await this.#transport.request<QueryResult>("POST", this.path("/query"), {
      query_embeddings: vectors,
      n_results: p.nResults ?? 10,
      where: p.where,
      where_document: p.whereDocument,
      include: toInclude(p.include, QUERY_DEFAULT),
      ids: toIds(p.ids),
    });
    result.metadatas = result.metadatas?.map((one) => fromWireMetadatas(one) ?? []) ?? null;
    return result;
  }

  /**
   * Hybrid search: run one `Search` or several in one request. Each is filtered, ranked
   * (lowest score first), grouped, paged and returns the fields it selects; text `Knn`
   * queries are embedded with the collection's embedding function.
   *
   * ```ts
   * const result = await collection.search(
   *   new Search().where(K("colour").eq("red")).rank(Knn({ query: [1, 0, 0] })).limit(2).select(K.SCORE),
   * );
   * result.rows()[0]; // [{ id: "a", score: 0 }, ...]
   * ```
   */
  async search(searches: SearchLike | SearchLike[], options: SearchOptions = {}): Promise<SearchResult> {
    const payloads = await prepareSearches(searches, this.embeddingFunction);
    const response = await this.#transport.request<SearchResponse>("POST", this.path("/search"), {
      searches: payloads,
      read_level: options.readLevel,
    });
    return new SearchResult(response);
  }

  /**
   * Delete the records matching `ids` and the filters; with no arguments, every record.
   *
   * ```ts
   * await collection.delete(["id1"]);
   * await collection.delete({ where: { style: "style1" } });
   * ```
   */
  async delete(params?: DeleteParams): Promise<void>;
  async delete(ids?: ID | IDs, where?: Where, whereDocument?: WhereDocument): Promise<void>;
  async delete(...args: unknown[]): Promise<void> {
    const p = (isParamsObject(args[0]) ? args[0] : positional(args, DELETE_ORDER)) as DeleteParams;
    await this.#transport.request("POST", this.path("/delete"), {
      ids: toIds(p.ids),
      where: p.where,
      where_document: p.whereDocument,
    });
  }

  /** Rename the collection and/or replace its metadata. */
  async modify(params: ModifyParams): Promise<void>;
  async modify(name?: string, metadata?: CollectionMetadata): Promise<void>;
  async modify(...args: unknown[]): Promise<void> {
    const p = (isParamsObject(args[0]) ? args[0] : positional(args, MODIFY_ORDER)) as ModifyParams;
    await this.#transport.request("PUT", this.path(), {
      new_name: p.name,
      new_metadata: p.metadata,
    });
    if (p.name !== undefined) this.name = p.name;
    if (p.metadata !== undefined) this.metadata = p.metadata;
  }
}

// The positional orders of Chroma's original JS client, e.g. get(ids, where, limit, ...).
const RECORD_ORDER = ["ids", "embeddings", "metadatas", "documents"];
const GET_ORDER = ["ids", "where", "limit", "offset", "include", "whereDocument"];
const QUERY_ORDER = ["queryEmbeddings", "nResults", "where", "queryTexts", "whereDocument", "include"];
const DELETE_ORDER = ["ids", "where", "whereDocument"];
const MODIFY_ORDER = ["name", "metadata"];

/** Positional arguments -> the object form, by the method's argument order. */
function positional(args: unknown[], order: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  order.forEach((key, i) => {
    if (args[i] !== undefined) params[key] = args[i];
  });
  return params;
}

function recordsArgs(args: unknown[]): RecordsInput {
  return (isParamsObject(args[0]) ? args[0] : positional(args, RECORD_ORDER)) as RecordsInput;
}
