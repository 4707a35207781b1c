/** Test hosts created and not yet closed in this process: `app plugin test` closes what a test left open. */
const open = new Set<{ close(): Promise<void> }>()

export const rememberHost = (host: { close(): Promise<void> }) => {
  open.add(host)
}
export const forgetHost = (host: { close(): Promise<void> }) => {
  open.delete(host)
}

/** Closes every host still open (their temporary directories go too); resolves with how many there were. */
export async function closeOpenHosts(): Promise<number> {
  const left = [...open]
  for (const host of left) await host.close().catch(() => {})
  return left.length
}
