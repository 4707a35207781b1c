/**
 * String.prototype.localeCompare's order (the default locale), from one collator made once:
 * localeCompare looks its collator up on every call, which made sorting 2,000 warnings take ~10 ms.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator().compare
