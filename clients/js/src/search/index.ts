/**
 * The Search API: filters (`K`, `Key`, `WhereExpression`), rankings (`Knn`, `Rrf`, `Val` and the
 * arithmetic), grouping (`GroupBy`, `MinK`, `MaxK`), paging (`Limit`), fields (`Select`), the
 * request (`Search`) and its answer (`SearchResult`). The names and JSON are those of Chroma's
 * JavaScript client 3.x, so searches written for it run unchanged.
 */
export {
  DOCUMENT_KEY,
  EMBEDDING_KEY,
  K,
  Key,
  WhereExpression,
  type KeyFactory,
  type WhereInput,
  type WhereJSON,
} from "./where.js";
export {
  Abs,
  Div,
  Exp,
  Knn,
  Log,
  Max,
  Min,
  Mul,
  RankExpression,
  Rrf,
  Sub,
  Sum,
  Val,
  type KnnOptions,
  type RankInput,
  type RankLiteral,
  type RrfOptions,
  type SparseVector,
} from "./rank.js";
export {
  Aggregate,
  GroupBy,
  Limit,
  MaxK,
  MinK,
  Search,
  Select,
  toSearch,
  type AggregateInput,
  type AggregateJSON,
  type GroupByInput,
  type GroupByJSON,
  type LimitInput,
  type LimitOptions,
  type SearchInit,
  type SearchLike,
  type SearchPayload,
  type SelectInput,
  type SelectKeyInput,
} from "./plan.js";
export { SearchResult, type SearchResponse, type SearchResultRow } from "./result.js";
export { ReadLevel } from "./prepare.js";
