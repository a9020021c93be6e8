/**
 * One search request: `Search` holds a filter (`where`), a ranking (`rank`), a grouping
 * (`groupBy` with `MinK` / `MaxK`), paging (`Limit`) and the fields to return (`Select`).
 * Every method returns a new `Search`, so a base search can be refined many ways.
 */
import { ChromaValueError } from "../errors.js";
import { RankExpression, type RankInput, type RankLiteral } from "./rank.js";
import { isPlainObject, Key, WhereExpression, type WhereInput, type WhereJSON } from "./where.js";

/** Options of {@link Limit}. */
export interface LimitOptions {
  /** Results to skip; default 0. */
  offset?: number;
  /** Results to return at most; default all. */
  limit?: number | null;
}
/** What the builders accept as paging: a `Limit`, a count, its options, or nothing. */
export type LimitInput = Limit | number | LimitOptions | null | undefined;

/** Skip `offset` results, then return at most `limit` (all when not given). */
export class Limit {
  readonly offset: number;
  readonly limit?: number;

  constructor({ offset = 0, limit }: LimitOptions = {}) {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ChromaValueError(`Limit offset must be a non-negative integer, got ${String(offset)}`);
    }
    if (limit !== null && limit !== undefined) {
      if (!Number.isInteger(limit) || limit <= 0) {
        throw new ChromaValueError(`Limit must be a positive integer, got ${String(limit)}`);
      }
      this.limit = limit;
    }
    this.offset = offset;
  }

  /** A `Limit` from a limit input; a bare number is the limit, with `offset` beside it. */
  static from(input: LimitInput, offset?: number): Limit {
    if (input instanceof Limit) return new Limit({ offset: input.offset, limit: input.limit });
    if (typeof input === "number") return new Limit({ limit: input, offset: offset ?? 0 });
    if (input === null || input === undefined) return new Limit();
    if (isPlainObject(input)) return new Limit(input as LimitOptions);
    throw new ChromaValueError("A limit must be a Limit, a number or {limit, offset}");
  }

  /** `{offset, limit?}`, as the search route takes it. */
  toJSON(): { offset: number; limit?: number } {
    return this.limit === undefined ? { offset: this.offset } : { offset: this.offset, limit: this.limit };
  }
}

/** A field to return: a reserved key or a metadata key (by name or as a `Key`). */
export type SelectKeyInput = string | Key;
/** What the builders accept as the fields to return. */
export type SelectInput =
  | Select
  | Iterable<SelectKeyInput>
  | { keys?: Iterable<SelectKeyInput> }
  | null
  | undefined;

function keyName(key: SelectKeyInput, what: string): string {
  const name = key instanceof Key ? key.name : key;
  if (typeof name !== "string") throw new ChromaValueError(`${what} must be strings or Keys`);
  return name;
}

/** The fields each result carries (ids always come back); each key once, in the order given. */
export class Select {
  readonly #keys: string[];

  constructor(keys: Iterable<SelectKeyInput> = []) {
    this.#keys = [...new Set(Array.from(keys, (k) => keyName(k, "Select keys")))];
  }

  /** A `Select` from a select input. */
  static from(input: SelectInput): Select {
    if (input instanceof Select) return new Select(input.values);
    if (input === null || input === undefined) return new Select();
    if (typeof input === "object" && Symbol.iterator in input) {
      return new Select(input as Iterable<SelectKeyInput>);
    }
    if (isPlainObject(input)) return new Select((input as { keys?: Iterable<SelectKeyInput> }).keys ?? []);
    throw new ChromaValueError("select takes keys, an array of keys, or {keys}");
  }

  /** Document, embedding, metadata and score. */
  static all(): Select {
    return new Select([Key.DOCUMENT, Key.EMBEDDING, Key.METADATA, Key.SCORE]);
  }

  /** The selected key names. */
  get values(): string[] {
    return [...this.#keys];
  }

  /** `{keys}`, as the search route takes it. */
  toJSON(): { keys: string[] } {
    return { keys: this.values };
  }
}

/** An aggregate as JSON: `{"$min_k": {keys, k}}` or `{"$max_k": {keys, k}}`. */
export type AggregateJSON =
  | { $min_k: { keys: string[]; k: number } }
  | { $max_k: { keys: string[]; k: number } };
/** What `GroupBy` accepts as its aggregate. */
export type AggregateInput = Aggregate | AggregateJSON;

/** Which records of each group to keep: `MinK` (smallest first) or `MaxK` (largest first). */
export abstract class Aggregate {
  readonly keys: Key[];
  readonly k: number;

  protected constructor(keys: (Key | string)[], k: number, name: string) {
    if (!Array.isArray(keys) || keys.length === 0) throw new ChromaValueError(`${name} needs keys`);
    if (!Number.isInteger(k) || k <= 0) {
      throw new ChromaValueError(`${name} k must be a positive integer, got ${String(k)}`);
    }
    this.keys = keys.map((key) => (key instanceof Key ? key : new Key(key)));
    this.k = k;
  }

  /** An aggregate from its JSON (or the aggregate itself). */
  static from(input: AggregateInput): Aggregate {
    if (input instanceof Aggregate) return input;
    if (isPlainObject(input) && Object.keys(input).length === 1) {
      if ("$min_k" in input) return new MinK(input.$min_k.keys, input.$min_k.k);
      if ("$max_k" in input) return new MaxK(input.$max_k.keys, input.$max_k.k);
    }
    throw new ChromaValueError("An aggregate is a MinK, a MaxK, or {$min_k} / {$max_k} JSON");
  }

  /** `MinK` over `keys`. */
  static minK(keys: (Key | string)[], k: number): MinK {
    return new MinK(keys, k);
  }

  /** `MaxK` over `keys`. */
  static maxK(keys: (Key | string)[], k: number): MaxK {
    return new MaxK(keys, k);
  }

  /** The aggregate's JSON. */
  abstract toJSON(): AggregateJSON;

  protected body(): { keys: string[]; k: number } {
    return { keys: this.keys.map((key) => key.name), k: this.k };
  }
}

/** Keep the `k` records of each group with the smallest values of `keys` (e.g. `[K.SCORE]`). */
export class MinK extends Aggregate {
  constructor(keys: (Key | string)[], k: number) {
    super(keys, k, "MinK");
  }
  toJSON(): AggregateJSON {
    return { $min_k: this.body() };
  }
}

/** Keep the `k` records of each group with the largest values of `keys`. */
export class MaxK extends Aggregate {
  constructor(keys: (Key | string)[], k: number) {
    super(keys, k, "MaxK");
  }
  toJSON(): AggregateJSON {
    return { $max_k: this.body() };
  }
}

/** A grouping as JSON. */
export interface GroupByJSON {
  keys: string[];
  aggregate: AggregateJSON;
}
/** What the builders accept as a grouping. */
export type GroupByInput = GroupBy | GroupByJSON;

/** Group the ranked records by the values of metadata `keys`; keep what `aggregate` picks. */
export class GroupBy {
  readonly keys: Key[];
  readonly aggregate: Aggregate;

  constructor(keys: (Key | string)[], aggregate: AggregateInput) {
    if (!Array.isArray(keys) || keys.length === 0) throw new ChromaValueError("GroupBy needs keys");
    this.keys = keys.map((key) => (key instanceof Key ? key : new Key(key)));
    this.aggregate = Aggregate.from(aggregate);
  }

  /** A grouping from its JSON (or the grouping itself). */
  static from(input: GroupByInput | null | undefined): GroupBy | undefined {
    if (input === null || input === undefined) return undefined;
    if (input instanceof GroupBy) return input;
    if (isPlainObject(input) && Array.isArray(input.keys) && input.aggregate) {
      return new GroupBy(input.keys, input.aggregate);
    }
    throw new ChromaValueError("A grouping is a GroupBy or {keys, aggregate}");
  }

  /** `{keys, aggregate}`, as the search route takes it. */
  toJSON(): GroupByJSON {
    return { keys: this.keys.map((key) => key.name), aggregate: this.aggregate.toJSON() };
  }
}

/** The parts of a search, as `new Search({...})` takes them. */
export interface SearchInit {
  where?: WhereInput;
  rank?: RankInput;
  groupBy?: GroupByInput;
  limit?: LimitInput;
  select?: SelectInput;
}

/** One entry of the search route's `searches`. */
export interface SearchPayload {
  filter?: WhereJSON;
  rank?: RankLiteral;
  group_by?: GroupByJSON;
  limit: { offset: number; limit?: number };
  select: { keys: string[] };
}

interface Parts {
  where?: WhereExpression;
  rank?: RankExpression;
  groupBy?: GroupBy;
  limit: Limit;
  select: Select;
}

/**
 * One search: filter, rank, group, page and pick fields. Immutable: each method returns a new
 * `Search`.
 *
 * ```ts
 * new Search().where(K("year").gte(2020)).rank(Knn({ query: [0.1, 0.2] })).limit(10).select(K.SCORE)
 * ```
 */
export class Search {
  #parts: Parts;

  constructor(init: SearchInit = {}) {
    const given: unknown = init;
    if (!isPlainObject(given)) throw new ChromaValueError("new Search() takes an options object");
    this.#parts = {
      where: WhereExpression.from(init.where),
      rank: RankExpression.from(init.rank),
      groupBy: GroupBy.from(init.groupBy),
      limit: Limit.from(init.limit),
      select: Select.from(init.select),
    };
  }

  private with(change: Partial<Parts>): Search {
    const next = new Search();
    next.#parts = { ...this.#parts, ...change };
    return next;
  }

  /** Only records matching `where` (replaces an earlier filter; nothing removes it). */
  where(where?: WhereInput): Search {
    return this.with({ where: WhereExpression.from(where) });
  }

  /** Score the records by `rank`, lowest first. */
  rank(rank?: RankInput): Search {
    return this.with({ rank: RankExpression.from(rank) });
  }

  /** Group the ranked records and keep the best of each group. */
  groupBy(groupBy?: GroupByInput): Search {
    return this.with({ groupBy: GroupBy.from(groupBy) });
  }

  /** Return at most `limit` results after skipping `offset` (or a `Limit` / `{limit, offset}`). */
  limit(limit?: LimitInput, offset?: number): Search {
    return this.with({ limit: Limit.from(limit, offset) });
  }

  /** The fields to return: `select(K.DOCUMENT, K.SCORE, "title")` or `select([...])`. */
  select(keys?: SelectInput): Search;
  select(...keys: SelectKeyInput[]): Search;
  select(first?: SelectInput | SelectKeyInput, ...rest: SelectKeyInput[]): Search {
    if (typeof first === "string" || first instanceof Key || rest.length > 0) {
      const keys = first === undefined ? rest : [first as SelectKeyInput, ...rest];
      return this.with({ select: new Select(keys) });
    }
    return this.with({ select: Select.from(first as SelectInput) });
  }

  /** Return the document, embedding, metadata and score. */
  selectAll(): Search {
    return this.with({ select: Select.all() });
  }

  /** The filter, if any. */
  get whereClause(): WhereExpression | undefined {
    return this.#parts.where;
  }
  /** The rank expression, if any. */
  get rankExpression(): RankExpression | undefined {
    return this.#parts.rank;
  }
  /** The grouping, if any. */
  get groupByConfig(): GroupBy | undefined {
    return this.#parts.groupBy;
  }
  /** The paging. */
  get limitConfig(): Limit {
    return this.#parts.limit;
  }
  /** The selected fields. */
  get selectConfig(): Select {
    return this.#parts.select;
  }

  /** The search as one entry of the search route's `searches`. */
  toPayload(): SearchPayload {
    const { where, rank, groupBy, limit, select } = this.#parts;
    const payload: SearchPayload = { limit: limit.toJSON(), select: select.toJSON() };
    if (where) payload.filter = where.toJSON();
    if (rank) payload.rank = rank.toJSON();
    if (groupBy) payload.group_by = groupBy.toJSON();
    return payload;
  }
}

/** A `Search`, or the options to build one. */
export type SearchLike = Search | SearchInit;

/** `input` as a `Search`. */
export function toSearch(input: SearchLike): Search {
  return input instanceof Search ? input : new Search(input);
}
