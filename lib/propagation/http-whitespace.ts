/** HTTP's optional whitespace (RFC 9110 OWS): space and horizontal tab. */
export function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** `s` without leading and trailing OWS (`String#trim` also strips newlines and Unicode spaces). */
export function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
