/**
 * Whether the running Node publishes `http.client.request.created` (22.12 and 23.2 on),
 * the first channel early enough to add headers to an outgoing node:http request.
 */
export function canTraceNodeHttpClients(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  if (major >= 24) return true;
  if (major === 23) return minor >= 2;
  if (major === 22) return minor >= 12;
  return false;
}
