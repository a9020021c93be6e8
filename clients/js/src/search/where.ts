/**
 * Filters of the Search API: `Key` (also called as `K("name")`) builds comparisons, and
 * `WhereExpression`s combine with `.and()` / `.or()`. A filter serialises to the same JSON as
 * a `where` of `get` and `query`, with the reserved keys `#id` and `#document` beside metadata
 * keys, which is what the search route's `filter` takes.
 */
import { ChromaValueError } from "../errors.js";

/** A filter as JSON: `{"year": {"$gte": 2020}}`, `{"$and": [...]}`. */
export type WhereJSON = Record<string, unknown>;
/** What the builders accept as a filter: an expression, its JSON, or nothing. */
export type WhereInput = WhereExpression | WhereJSON | null | undefined;

const COMPARISONS = new Set([
  "$eq",
  "$ne",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$contains",
  "$not_contains",
  "$regex",
  "$not_regex",
]);

/** True for `{...}` written as an object literal (not arrays, class instances or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A filter. Build one with `K("field").eq(value)` and friends, or `WhereExpression.from(json)`. */
export class WhereExpression {
  readonly #json: WhereJSON;

  /** @internal Use the `Key` methods or `WhereExpression.from`. */
  constructor(json: WhereJSON) {
    this.#json = json;
  }

  /** Parse a filter given as JSON (checked here, so a typo fails before any request). */
  static from(input: WhereInput): WhereExpression | undefined {
    if (input instanceof WhereExpression) return input;
    if (input === null || input === undefined) return undefined;
    if (!isPlainObject(input)) {
      throw new ChromaValueError("A filter must be a WhereExpression or a plain object");
    }
    return parseWhere(input);
  }

  /** Both this filter and `other` (nested `$and`s are flattened). */
  and(other: WhereInput): WhereExpression {
    return this.combine("$and", other);
  }

  /** This filter or `other` (nested `$or`s are flattened). */
  or(other: WhereInput): WhereExpression {
    return this.combine("$or", other);
  }

  /** The filter's JSON, as the search route's `filter` takes it. */
  toJSON(): WhereJSON {
    return structuredClone(this.#json);
  }

  private combine(op: "$and" | "$or", other: WhereInput): WhereExpression {
    const right = WhereExpression.from(other);
    if (!right) return this;
    return new WhereExpression({ [op]: [...operands(this, op), ...operands(right, op)] });
  }
}

function operands(expr: WhereExpression, op: string): WhereJSON[] {
  const json = expr.toJSON();
  const inner = Object.keys(json).length === 1 ? json[op] : undefined;
  return Array.isArray(inner) ? (inner as WhereJSON[]) : [json];
}

function parseWhere(data: Record<string, unknown>): WhereExpression {
  const entries = Object.entries(data);
  if (entries.length !== 1) {
    throw new ChromaValueError(
      `A filter object holds exactly one field or $and/$or, got ${entries.length}: ${JSON.stringify(data)}`,
    );
  }
  const [field, body] = entries[0];
  if (field === "$and" || field === "$or") {
    if (!Array.isArray(body) || body.length === 0) {
      throw new ChromaValueError(`${field} takes a non-empty array of filters`);
    }
    const parts = body.map((part, i) => {
      const parsed = isPlainObject(part) ? parseWhere(part) : undefined;
      if (!parsed) throw new ChromaValueError(`${field}[${i}] is not a filter object`);
      return parsed;
    });
    return parts.reduce((acc, part) => (field === "$and" ? acc.and(part) : acc.or(part)));
  }
  if (!isPlainObject(body)) return comparison(field, "$eq", body);
  const ops = Object.entries(body);
  if (ops.length !== 1) {
    throw new ChromaValueError(`The filter on "${field}" must hold exactly one operator`);
  }
  const [op, value] = ops[0];
  if (!COMPARISONS.has(op)) {
    throw new ChromaValueError(`Unknown filter operator ${op} on "${field}"`);
  }
  return comparison(field, op, value);
}

function comparison(field: string, op: string, value: unknown): WhereExpression {
  return new WhereExpression({ [field]: { [op]: value } });
}

function nonEmptyList(values: Iterable<unknown> | ArrayLike<unknown>, op: string): unknown[] {
  const list = Array.from(values as Iterable<unknown>);
  if (list.length === 0) throw new ChromaValueError(`${op} needs at least one value`);
  return list;
}

/**
 * A field of a record: a metadata key by name, or one of the reserved keys
 * (`Key.ID`, `Key.DOCUMENT`, `Key.EMBEDDING`, `Key.METADATA`, `Key.SCORE`).
 * Its methods build filters; `Select`, `GroupBy` and `Knn` take keys too.
 */
export class Key {
  /** The record's id (`#id`). */
  static readonly ID = new Key("#id");
  /** The record's document (`#document`). */
  static readonly DOCUMENT = new Key("#document");
  /** The record's dense embedding (`#embedding`). */
  static readonly EMBEDDING = new Key("#embedding");
  /** All of the record's metadata (`#metadata`), for `Select`. */
  static readonly METADATA = new Key("#metadata");
  /** The record's rank score (`#score`), for `Select` and aggregates. */
  static readonly SCORE = new Key("#score");

  constructor(readonly name: string) {
    if (typeof name !== "string") throw new ChromaValueError("A key name must be a string");
  }

  /** Equal to `value`. */
  eq(value: unknown): WhereExpression {
    return comparison(this.name, "$eq", value);
  }
  /** Not equal to `value`. */
  ne(value: unknown): WhereExpression {
    return comparison(this.name, "$ne", value);
  }
  /** Greater than `value`. */
  gt(value: unknown): WhereExpression {
    return comparison(this.name, "$gt", value);
  }
  /** Greater than or equal to `value`. */
  gte(value: unknown): WhereExpression {
    return comparison(this.name, "$gte", value);
  }
  /** Less than `value`. */
  lt(value: unknown): WhereExpression {
    return comparison(this.name, "$lt", value);
  }
  /** Less than or equal to `value`. */
  lte(value: unknown): WhereExpression {
    return comparison(this.name, "$lte", value);
  }
  /** One of `values`. */
  isIn(values: Iterable<unknown> | ArrayLike<unknown>): WhereExpression {
    return comparison(this.name, "$in", nonEmptyList(values, "$in"));
  }
  /** None of `values`. */
  notIn(values: Iterable<unknown> | ArrayLike<unknown>): WhereExpression {
    return comparison(this.name, "$nin", nonEmptyList(values, "$nin"));
  }
  /** On `Key.DOCUMENT`, holds the substring; on a metadata array, holds the value. */
  contains(value: string | number | boolean): WhereExpression {
    return comparison(this.name, "$contains", this.documentText(value, "contains"));
  }
  /** The opposite of {@link contains}. */
  notContains(value: string | number | boolean): WhereExpression {
    return comparison(this.name, "$not_contains", this.documentText(value, "notContains"));
  }
  /** Matches the regular expression `pattern`. */
  regex(pattern: string): WhereExpression {
    return comparison(this.name, "$regex", text(pattern, "regex"));
  }
  /** Does not match the regular expression `pattern`. */
  notRegex(pattern: string): WhereExpression {
    return comparison(this.name, "$not_regex", text(pattern, "notRegex"));
  }

  private documentText(value: string | number | boolean, method: string) {
    return this.name === "#document" ? text(value, `K.DOCUMENT.${method}`) : value;
  }
}

function text(value: unknown, method: string): string {
  if (typeof value !== "string") throw new ChromaValueError(`${method} takes a string`);
  return value;
}

/** `K("field")` is `new Key("field")`; `K.ID`, `K.DOCUMENT` ... are the reserved keys. */
export interface KeyFactory {
  (name: string): Key;
  readonly ID: Key;
  readonly DOCUMENT: Key;
  readonly EMBEDDING: Key;
  readonly METADATA: Key;
  readonly SCORE: Key;
}

/** Keys by name: `K("year").gte(2020)`, `K.DOCUMENT.contains("rose")`, `K.SCORE`. */
export const K: KeyFactory = Object.assign((name: string) => new Key(name), {
  ID: Key.ID,
  DOCUMENT: Key.DOCUMENT,
  EMBEDDING: Key.EMBEDDING,
  METADATA: Key.METADATA,
  SCORE: Key.SCORE,
});

/** The reserved key of documents. */
export const DOCUMENT_KEY = "#document";
/** The reserved key of dense embeddings. */
export const EMBEDDING_KEY = "#embedding";
