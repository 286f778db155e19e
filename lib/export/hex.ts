/** Hex digit values by char code below 128 (255: not a lowercase hex digit). */
export const HEX_VALUES: Uint8Array = (() => {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) table[97 + i] = 10 + i;
  return table;
})();

/**
 * The byte two hex digits spell, by `(first char code << 7) | second char code` (both
 * below 128); 0x100 or more when either is not a lowercase hex digit.
 */
export const HEX_PAIRS: Uint16Array = (() => {
  const table = new Uint16Array(1 << 14).fill(0x100);
  for (let a = 0; a < 128; a++) {
    if (HEX_VALUES[a] > 15) continue;
    for (let b = 0; b < 128; b++) if (HEX_VALUES[b] <= 15) table[(a << 7) | b] = (HEX_VALUES[a] << 4) | HEX_VALUES[b];
  }
  return table;
})();
