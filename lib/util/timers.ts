/** The longest delay a Node.js timer accepts; a longer one silently fires after 1 ms. */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1;
