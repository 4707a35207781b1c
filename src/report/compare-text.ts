let collator: Intl.Collator | undefined

/**
 * String.prototype.localeCompare's order (the default locale), from one collator made once:
 * localeCompare looks its collator up on every call, which made sorting 2,000 warnings take ~10 ms.
 * Made on first use: creating it takes about 5 ms, and most processes that load this never sort.
 */
export function compareText(a: string, b: string): number {
  collator ??= new Intl.Collator()
  return collator.compare(a, b)
}
