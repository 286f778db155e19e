/** W6's server modes: each row of the table is one server process (bench/http/server.ts). */
export const SERVER_ONLY_MODES = ['untraced', 'als', 'sextant', 'sextant-zero', 'otel', 'ddtrace'] as const;
/** The same servers making one outbound fetch per request before answering. */
export const FETCH_MODES = ['untraced-fetch', 'sextant-fetch', 'sextant-zero-fetch', 'otel-fetch', 'ddtrace-fetch'] as const;
export type ServerMode = (typeof SERVER_ONLY_MODES)[number] | (typeof FETCH_MODES)[number];
