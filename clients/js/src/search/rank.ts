/**
 * Ranking expressions of the Search API. `Knn` scores records by distance to a query (lower is
 * better); `Val` is a constant; the arithmetic (`add`, `multiply`, `Sum`, `Max`, `exp` ...)
 * combines scores, and `Rrf` fuses several rankings by reciprocal rank, written out as that
 * arithmetic before it is sent. Each expression serialises to the search route's `rank` JSON.
 */
import { ChromaValueError } from "../errors.js";
import type { SparseVector } from "../sparse.js";
import { isPlainObject, Key, EMBEDDING_KEY } from "./where.js";

/** A rank expression as JSON: `{"$knn": {...}}`, `{"$sum": [...]}`, `{"$val": 1}` ... */
export type RankLiteral = Record<string, unknown>;
/** What the builders accept as a rank: an expression, its JSON, a number (a constant) or nothing. */
export type RankInput = RankExpression | RankLiteral | number | null | undefined;

export type { SparseVector };

function finite(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ChromaValueError(`${what} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** A score for each record; lower ranks first. Build with `Knn`, `Val`, `Rrf` and the arithmetic. */
export class RankExpression {
  readonly #json: RankLiteral;

  /** @internal Use `Knn`, `Val`, `RankExpression.from` and the arithmetic. */
  constructor(json: RankLiteral) {
    this.#json = json;
  }

  /** An expression from a rank input: a number becomes `Val(number)`, JSON is taken as is. */
  static from(input: RankInput): RankExpression | undefined {
    if (input instanceof RankExpression) return input;
    if (input === null || input === undefined) return undefined;
    if (typeof input === "number") return Val(input);
    if (isPlainObject(input)) return new RankExpression(structuredClone(input));
    throw new ChromaValueError("A rank must be a RankExpression, a number or a plain object");
  }

  /** This plus `others`. */
  add(...others: RankInput[]): RankExpression {
    return nary("$sum", [this, ...others.map((o, i) => operand(o, `add operand ${i}`))]);
  }
  /** This minus `other`. */
  subtract(other: RankInput): RankExpression {
    return binary("$sub", this, operand(other, "subtract operand"));
  }
  /** This times `others`. */
  multiply(...others: RankInput[]): RankExpression {
    return nary("$mul", [this, ...others.map((o, i) => operand(o, `multiply operand ${i}`))]);
  }
  /** This divided by `other`. */
  divide(other: RankInput): RankExpression {
    return binary("$div", this, operand(other, "divide operand"));
  }
  /** Minus this (this times -1). */
  negate(): RankExpression {
    return this.multiply(-1);
  }
  /** The absolute value. */
  abs(): RankExpression {
    return new RankExpression({ $abs: this.toJSON() });
  }
  /** e to the power of this. */
  exp(): RankExpression {
    return new RankExpression({ $exp: this.toJSON() });
  }
  /** The natural logarithm. */
  log(): RankExpression {
    return new RankExpression({ $log: this.toJSON() });
  }
  /** The largest of this and `others`. */
  max(...others: RankInput[]): RankExpression {
    return nary("$max", [this, ...others.map((o, i) => operand(o, `max operand ${i}`))]);
  }
  /** The smallest of this and `others`. */
  min(...others: RankInput[]): RankExpression {
    return nary("$min", [this, ...others.map((o, i) => operand(o, `min operand ${i}`))]);
  }

  /** The expression's JSON, as the search route's `rank` takes it. */
  toJSON(): RankLiteral {
    return structuredClone(this.#json);
  }
}

function operand(input: RankInput, what: string): RankExpression {
  const rank = RankExpression.from(input);
  if (!rank) throw new ChromaValueError(`${what} must be a rank expression or a number`);
  return rank;
}

// Sum(Sum(a, b), c) is sent as one $sum of three, and an operation on one operand is that operand.
function nary(op: string, ranks: RankExpression[]): RankExpression {
  const flat = ranks.flatMap((rank) => {
    const json = rank.toJSON();
    const inner = Object.keys(json).length === 1 ? json[op] : undefined;
    return Array.isArray(inner) ? (inner as RankLiteral[]) : [json];
  });
  return flat.length === 1 ? new RankExpression(flat[0]) : new RankExpression({ [op]: flat });
}

function binary(op: string, left: RankExpression, right: RankExpression): RankExpression {
  return new RankExpression({ [op]: { left: left.toJSON(), right: right.toJSON() } });
}

function several(op: string, inputs: RankInput[], name: string): RankExpression {
  if (inputs.length === 0) throw new ChromaValueError(`${name} needs at least one rank`);
  return nary(op, inputs.map((r, i) => operand(r, `${name} operand ${i}`)));
}

/** A constant score. */
export function Val(value: number): RankExpression {
  return new RankExpression({ $val: finite(value, "Val") });
}

/** The sum of the ranks. */
export function Sum(...ranks: RankInput[]): RankExpression {
  return several("$sum", ranks, "Sum");
}
/** `left - right`. */
export function Sub(left: RankInput, right: RankInput): RankExpression {
  return binary("$sub", operand(left, "Sub left"), operand(right, "Sub right"));
}
/** The product of the ranks. */
export function Mul(...ranks: RankInput[]): RankExpression {
  return several("$mul", ranks, "Mul");
}
/** `left / right`. */
export function Div(left: RankInput, right: RankInput): RankExpression {
  return binary("$div", operand(left, "Div left"), operand(right, "Div right"));
}
/** The absolute value of a rank. */
export function Abs(rank: RankInput): RankExpression {
  return operand(rank, "Abs").abs();
}
/** e to the power of a rank. */
export function Exp(rank: RankInput): RankExpression {
  return operand(rank, "Exp").exp();
}
/** The natural logarithm of a rank. */
export function Log(rank: RankInput): RankExpression {
  return operand(rank, "Log").log();
}
/** The largest of the ranks. */
export function Max(...ranks: RankInput[]): RankExpression {
  return several("$max", ranks, "Max");
}
/** The smallest of the ranks. */
export function Min(...ranks: RankInput[]): RankExpression {
  return several("$min", ranks, "Min");
}

/** Options of {@link Knn}. */
export interface KnnOptions {
  /** A dense vector (array or typed array), a sparse vector, or a text to embed. */
  query: Iterable<number> | ArrayLike<number> | SparseVector | string;
  /** The embedding to search; default `#embedding` (the dense one). */
  key?: string | Key;
  /** How many nearest records score; default 128. */
  limit?: number;
  /** The score of records beyond `limit`; without one, such records leave the results. */
  default?: number | null;
  /** Score by 0-based position among the nearest instead of by distance (what `Rrf` needs). */
  returnRank?: boolean;
}

function isSparse(query: unknown): query is SparseVector {
  return (
    isPlainObject(query) &&
    Array.isArray((query as Partial<SparseVector>).indices) &&
    Array.isArray((query as Partial<SparseVector>).values)
  );
}

function knnQuery(query: KnnOptions["query"]): number[] | SparseVector | string {
  if (typeof query === "string") return query;
  if (isSparse(query)) return { indices: [...query.indices], values: [...query.values] };
  if (query === null || typeof query !== "object") {
    throw new ChromaValueError("Knn query must be a vector, a sparse vector or a string");
  }
  const values = Array.from(query as ArrayLike<number>);
  values.forEach((x) => finite(x, "Each Knn query value"));
  return values;
}

/**
 * The nearest records to `query`: a record's score is its distance (or its position, with
 * `returnRank`). Text queries are embedded with the collection's embedding function.
 *
 * ```ts
 * Knn({ query: [0.1, 0.2, 0.3], limit: 50 })
 * ```
 */
export function Knn(options: KnnOptions): RankExpression {
  if (!isPlainObject(options)) throw new ChromaValueError("Knn takes an options object");
  const limit = options.limit ?? 128;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new ChromaValueError(`Knn limit must be a positive integer, got ${String(limit)}`);
  }
  const key = options.key instanceof Key ? options.key.name : (options.key ?? EMBEDDING_KEY);
  if (typeof key !== "string") throw new ChromaValueError("Knn key must be a string or a Key");
  const body: Record<string, unknown> = { query: knnQuery(options.query), key, limit };
  if (options.default !== null && options.default !== undefined) {
    body.default = finite(options.default, "Knn default");
  }
  if (options.returnRank) body.return_rank = true;
  return new RankExpression({ $knn: body });
}

/** Options of {@link Rrf}. */
export interface RrfOptions {
  /** The rankings to fuse, usually `Knn({..., returnRank: true})`s. */
  ranks: RankInput[];
  /** The smoothing constant; default 60. */
  k?: number;
  /** One non-negative weight per rank; default all 1. */
  weights?: number[];
  /** Scale the weights to sum to 1; default false. */
  normalize?: boolean;
}

/**
 * Reciprocal rank fusion: `-(sum of weight_i / (k + rank_i))`, so records ranked well by
 * several rankings come first. Sent as the equivalent arithmetic.
 *
 * ```ts
 * Rrf({ ranks: [Knn({ query: a, returnRank: true }), Knn({ query: b, returnRank: true })] })
 * ```
 */
export function Rrf({ ranks, k = 60, weights, normalize = false }: RrfOptions): RankExpression {
  if (!Number.isInteger(k) || k <= 0) {
    throw new ChromaValueError(`Rrf k must be a positive integer, got ${String(k)}`);
  }
  if (!Array.isArray(ranks) || ranks.length === 0) {
    throw new ChromaValueError("Rrf needs at least one rank");
  }
  const parts = ranks.map((r, i) => operand(r, `Rrf ranks[${i}]`));
  let w = weights ? [...weights] : parts.map(() => 1);
  if (w.length !== parts.length) {
    throw new ChromaValueError(`Rrf got ${parts.length} ranks but ${w.length} weights`);
  }
  if (w.some((x) => typeof x !== "number" || !(x >= 0))) {
    throw new ChromaValueError("Rrf weights must be non-negative numbers");
  }
  if (normalize) {
    const total = w.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new ChromaValueError("Rrf weights must sum to more than 0 to normalize");
    w = w.map((x) => x / total);
  }
  const terms = parts.map((rank, i) => Val(w[i]).divide(rank.add(k)));
  return Sum(...terms).negate();
}
