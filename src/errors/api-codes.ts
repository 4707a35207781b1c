// JSON API error codes of the catalog (see codes.ts).
export interface ApiInfo {
  status: number
  meaning: string
  fix: string
}

/** `{"error": {"code", "message"}}` bodies of the JSON API and plugin routes. */
export const apiCodes = {
  UNAUTHORIZED: {
    status: 401,
    meaning: 'No valid admin token or session.',
    fix: 'Send "Authorization: Bearer <token>" or sign in at /login.',
  },
  TOO_MANY_FAILED_SIGN_INS: {
    status: 429,
    meaning: 'This client address failed to sign in too often within a minute; its token is not checked until Retry-After passes.',
    fix: 'Wait the Retry-After seconds and use the right token.',
  },
  CROSS_ORIGIN: {
    status: 403,
    meaning:
      'A request other than GET or HEAD came from another origin (Origin or Sec-Fetch-Site), such as a form on another port of the same host.',
    fix: 'Make changes from the admin\'s own pages; scripts send "Authorization: Bearer <token>" without an Origin header.',
  },
  BAD_QUERY: {
    status: 400,
    meaning: 'A query parameter has a wrong value.',
    fix: 'The message names the parameter and the values it takes.',
  },
  BAD_FORM: {
    status: 400,
    meaning: 'An operator form (acknowledge, roll back, settings) has a missing or wrong field; nothing was changed.',
    fix: 'The message names the field and what it takes (a note of 1 to 500 characters, a stored version that passed validation, a setting value of its declared type).',
  },
  CSRF_INVALID: {
    status: 403,
    meaning: "A signed-in form post did not carry this session's CSRF token (an old page, or another site).",
    fix: 'Reload the page and send the form again; scripts send "Authorization: Bearer <token>" and need no CSRF token.',
  },
  WARNING_NOT_FOUND: {
    status: 404,
    meaning: 'No current warning has that id for that plugin (it went with a new generation, or the id is wrong).',
    fix: 'GET /api/v1/warnings?state=all lists every warning with its id.',
  },
  VERSION_NOT_FOUND: {
    status: 404,
    meaning: 'The store keeps no version of the plugin with that number (compare).',
    fix: 'The message lists the versions kept; old ones are pruned after store.keepGenerations.',
  },
  EVENT_NOT_FOUND: { status: 404, meaning: 'No event has that id (retry, cancel).', fix: 'GET /api/v1/events lists the events kept.' },
  EVENT_CONFLICT: {
    status: 409,
    meaning: 'The event cannot be retried or cancelled in its state (a pending event is not retried; a finished one is not cancelled).',
    fix: 'The message says its state; reload the events page.',
  },
  NOT_FOUND: { status: 404, meaning: 'No route at that path.', fix: 'The message lists the routes.' },
  PLUGIN_NOT_FOUND: { status: 404, meaning: 'No plugin of that name in the current generation.', fix: 'GET /api/v1/plugins lists them.' },
  ASSET_NOT_FOUND: { status: 404, meaning: 'The plugin has no such frontend file.', fix: 'Check the plugin\'s "frontend" list.' },
  ASSET_PATH_REFUSED: {
    status: 400,
    meaning: 'The asset path leaves the plugin folder or has unsafe characters.',
    fix: 'Request a path inside the plugin.',
  },
  PLUGIN_ROUTE_NOT_FOUND: {
    status: 404,
    meaning: 'No loaded plugin of that name has routes.',
    fix: 'Check the name, and that the plugin calls registerApiBlueprint.',
  },
  PLUGIN_ROUTE_FAILED: { status: 500, meaning: "The plugin's route threw.", fix: "See the plugin's RUNTIME_ERROR warning for the stack." },
  PLUGIN_ROUTE_TIMEOUT: {
    status: 504,
    meaning: "The plugin's route did not answer in time.",
    fix: 'Make the route answer sooner; long work belongs in a job.',
  },
  INTERNAL: { status: 500, meaning: 'The request failed inside app.', fix: 'The server log has the details.' },
} as const satisfies Record<string, ApiInfo>
