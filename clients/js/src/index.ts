/**
 * The JavaScript/TypeScript client of our Chroma-compatible server.
 *
 * ```ts
 * import { ChromaClient } from "chromadb";
 * const client = new ChromaClient();
 * ```
 */
export {
  ChromaClient,
  DEFAULT_DATABASE,
  DEFAULT_TENANT,
  type ChromaClientParams,
  type CreateCollectionParams,
  type DeleteCollectionParams,
  type GetCollectionParams,
  type ListCollectionsParams,
} from "./ChromaClient.js";
export {
  Collection,
  type AddParams,
  type DeleteParams,
  type GetParams,
  type ModifyParams,
  type PeekParams,
  type QueryParams,
  type UpdateParams,
  type UpsertParams,
} from "./Collection.js";
export type { EmbeddingFunction, IEmbeddingFunction } from "./embeddings.js";
export {
  ChromaClientError,
  ChromaConnectionError,
  ChromaError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaRateLimitError,
  ChromaServerError,
  ChromaUnauthorizedError,
  ChromaUniqueError,
  ChromaValueError,
  type ChromaErrorDetails,
} from "./errors.js";
export type { AuthOptions, FetchFunction } from "./http.js";
export {
  IncludeEnum,
  type CollectionMetadata,
  type CollectionModel,
  type Document,
  type Documents,
  type Embedding,
  type EmbeddingInput,
  type Embeddings,
  type GetResult,
  type ID,
  type IDs,
  type IncludeField,
  type Metadata,
  type MetadataValue,
  type Metadatas,
  type PreflightChecks,
  type QueryResult,
  type URI,
  type URIs,
  type Where,
  type WhereDocument,
} from "./types.js";
