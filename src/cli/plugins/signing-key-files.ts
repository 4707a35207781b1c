/** The file names `app plugins keygen` writes, and `app plugins pack --key` expects. */
export const PRIVATE_KEY_FILE = 'plugin-signing.key'
export const PUBLIC_KEY_FILE = 'plugin-signing.pub'
