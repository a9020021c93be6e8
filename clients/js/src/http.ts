/**
 * The one place the client talks HTTP: builds URLs and headers, calls `fetch`, turns failures
 * into the classes of `errors.ts`. Nothing else in the package calls `fetch`.
 */
import { ChromaConnectionError, ChromaServerError, errorFromResponse } from "./errors.js";

/** The `fetch` signature the client needs; any WHATWG-compatible implementation works. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Credentials, as Chroma's JS client takes them.
 *
 * - `{provider: "token", credentials: "s3cret"}` sends `Authorization: Bearer s3cret`;
 *   with `tokenHeaderType: "X_CHROMA_TOKEN"` it sends `X-Chroma-Token: s3cret` instead.
 * - `{provider: "basic", credentials: "user:password"}` sends `Authorization: Basic ...`.
 */
export type AuthOptions =
  | {
      provider: "token";
      credentials: string;
      tokenHeaderType?: "AUTHORIZATION" | "X_CHROMA_TOKEN";
    }
  | {
      provider: "basic";
      credentials: string | { username: string; password: string };
    };

/** How to reach the server. */
export interface TransportOptions {
  /** Base address, e.g. `http://localhost:8000`. */
  baseUrl: string;
  /** Headers sent with every request (they win over the ones `auth` produces). */
  headers?: Record<string, string>;
  auth?: AuthOptions;
  /** Extra `fetch` options (credentials mode, an abort signal, ...). */
  fetchOptions?: RequestInit;
  /** A `fetch` to use instead of the global one. */
  fetch?: FetchFunction;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";
type Query = Record<string, string | number | undefined>;

/** The headers that carry `auth`. */
export function authHeaders(auth: AuthOptions | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.provider === "token") {
    if (auth.tokenHeaderType === "X_CHROMA_TOKEN") return { "X-Chroma-Token": auth.credentials };
    return { Authorization: `Bearer ${auth.credentials}` };
  }
  const pair =
    typeof auth.credentials === "string"
      ? auth.credentials
      : `${auth.credentials.username}:${auth.credentials.password}`;
  return { Authorization: `Basic ${base64Utf8(pair)}` };
}

/** Base64 of a string's UTF-8 bytes with `btoa`, which Node 18+ and browsers both have. */
function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Sends requests to one server and decodes the JSON answers. */
export class Transport {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly fetchOptions: RequestInit;
  private readonly fetchImpl?: FetchFunction;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.headers = { ...authHeaders(options.auth), ...(options.headers ?? {}) };
    this.fetchOptions = options.fetchOptions ?? {};
    this.fetchImpl = options.fetch;
  }

  /** `method path` with an optional JSON body; resolves to the decoded JSON answer. */
  async request<T>(method: Method, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = this.baseUrl + path + queryString(query);
    const headers: Record<string, string> = { Accept: "application/json", ...this.headers };
    const init: RequestInit = { ...this.fetchOptions, method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await this.send(url, init);
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, response.statusText, text);
    return decode<T>(text, method, path);
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    // Looked up on every call, not at construction, so a fetch installed later is used.
    const doFetch = this.fetchImpl ?? globalThis.fetch;
    if (typeof doFetch !== "function") {
      throw new ChromaConnectionError("No fetch function: use Node 18+ or pass options.fetch");
    }
    try {
      return await doFetch(url, init);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new ChromaConnectionError(`Could not reach the Chroma server at ${url}: ${why}`, {
        cause,
      });
    }
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function decode<T>(text: string, method: Method, path: string): T {
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new ChromaServerError(`The server's answer to ${method} ${path} is not JSON: ${text}`, {
      cause,
    });
  }
}
