// `app/plugin` is a virtual module: the app host resolves it for each plugin
// when it loads the plugin (module hooks), so every plugin gets its own SDK.
// This file is what Node finds when something else imports `app/plugin`.
throw new Error(
  'app/plugin is provided by the app host at load time: import it from plugin code that app loads (see docs/plugin-authoring.md), not from a script run on its own; app/plugin/testing is provided to the test files `app plugin test <dir>` runs',
)
