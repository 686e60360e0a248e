/**
 * Said on every read that can answer from memory while the database is unreachable: movies
 * chooses availability (AP), as the original's CAP note did.
 */
export const STALE_READ =
  'While PostgreSQL is unreachable this instance answers what it last read, with `X-Data-Stale: true`, ' +
  '`Warning: 110` and `Age`; what it has never read is a 503 with `Retry-After`.';
