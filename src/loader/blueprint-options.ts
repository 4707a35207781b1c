/** What registerApiBlueprint(app, options) accepts. */
export interface BlueprintOptions {
  public: string[]
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 120) ?? String(v)
const SEGMENT = /^(?::[A-Za-z_][\w-]*|[A-Za-z0-9._~!$&'()+,;=@%-]+)$/

/**
 * Checks registerApiBlueprint's options. `public`: paths relative to
 * /plugin/<name> that answer without the admin sign-in, as Hono writes them:
 * `/webhook`, `/hooks/:id`, or a last segment `*` for everything below
 * (`/public/*`). Anything else is refused, naming what was found: a route
 * left private by a typo is safer than one made public by a guess.
 */
export function checkBlueprintOptions(options: unknown): BlueprintOptions {
  const call = 'registerApiBlueprint(app, options)'
  if (options === undefined) return { public: [] }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${call}: expected options to be an object such as { public: ['/webhook'] }; found ${show(options)}`)
  const unknown = Object.keys(options).filter((k) => k !== 'public')
  if (unknown.length)
    throw new TypeError(
      `${call}: unknown option ${unknown.map((k) => `"${k}"`).join(', ')}; the only option is "public" (routes are always mounted at /plugin/<this plugin's name>)`,
    )
  const list = (options as { public?: unknown }).public ?? []
  if (!Array.isArray(list))
    throw new TypeError(`${call}: expected options.public to be an array of paths such as ['/webhook']; found ${show(list)}`)
  for (const path of list) {
    if (typeof path !== 'string' || !path.startsWith('/') || !validPath(path)) {
      throw new TypeError(
        `${call}: expected each options.public entry to be a path relative to /plugin/<name> such as "/webhook", "/hooks/:id" or "/public/*" (no "..", "?", "#" or empty segments; "*" only last); found ${show(path)}`,
      )
    }
  }
  return { public: [...list] as string[] }
}

function validPath(path: string): boolean {
  if (path === '/' || path === '/*') return true
  const segments = path.slice(1).split('/')
  return segments.every((s, i) => (s === '*' ? i === segments.length - 1 : SEGMENT.test(s) && s !== '.' && s !== '..'))
}

/**
 * True when `path` (what the plugin's Hono app will see, e.g. "/webhook")
 * is one of the public patterns: equal segment by segment, `:name` standing
 * for one non-empty segment, a last `*` for any rest (itself included).
 */
export function matchesPublicPath(patterns: readonly string[] | undefined, path: string): boolean {
  if (!patterns?.length) return false
  const have = path.split('/').slice(1)
  return patterns.some((pattern) => {
    const want = pattern.split('/').slice(1)
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!
      if (w === '*' && i === want.length - 1) return true
      const h = have[i]
      if (h === undefined) return false
      if (w.startsWith(':') ? h === '' : w !== h) return false
    }
    return have.length === want.length
  })
}
