// Written by `python -m chromadb.server.js_errors` from chromadb/errors.py; do not edit.

/** The HTTP status of each error name the server sends (and the names other Chroma
 * versions send for the same errors). */
export const SERVER_ERROR_STATUS: Readonly<Record<string, number>> = {
  "AuthError": 401,
  "AuthorizationError": 403,
  "BatchSizeExceededError": 413,
  "ChromaError": 400,
  "DataIntegrityError": 500,
  "DiskFullError": 507,
  "DuplicateID": 400,
  "DuplicateIDError": 400,
  "FolderInUseError": 409,
  "IDAlreadyExists": 409,
  "IDAlreadyExistsError": 409,
  "InternalError": 500,
  "InvalidArgument": 400,
  "InvalidArgumentError": 400,
  "InvalidCollection": 400,
  "InvalidCollectionException": 400,
  "InvalidDimension": 400,
  "InvalidDimensionException": 400,
  "InvalidHTTPVersion": 400,
  "InvalidUUID": 400,
  "InvalidUUIDError": 400,
  "MethodNotAllowed": 405,
  "NotFoundError": 404,
  "QuotaError": 400,
  "RateLimitError": 429,
  "UniqueConstraintError": 409,
  "ValueError": 400,
  "VersionMismatchError": 500,
};
