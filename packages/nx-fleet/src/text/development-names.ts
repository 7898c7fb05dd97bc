/** A word that names an image made for development, tests or CI: never the image a service ships. */
const DEVELOPMENT_WORD =
  /^(dev|develop|development|local|test|tests|testing|integration|debug|ci|e2e|cypress|playwright|devcontainer|gitpod)$/i;

/**
 * Whether any part of a name, split at the separators, is such a word: a Dockerfile variant's
 * (saltcorn's `Dockerfile.isolated.dev`, split at `.`), a stage's (`test-e2e`, at `-`, `_` and `.`).
 */
export function namesDevelopment(name: string, separators: RegExp): boolean {
  return name.split(separators).some((part) => DEVELOPMENT_WORD.test(part));
}

/** A folder named for development or tests, or inside one (kubernetes/dashboard's `hack/develop`, a `testing/` tree). */
export function inDevelopmentFolder(root: string): boolean {
  return root.split('/').some((folder) => namesDevelopment(folder, /[-_.]/));
}
