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

const TEST_TOOL = /^(cypress|playwright)$/i;

/**
 * The test tool a name is named for, where that is its only development word (`Dockerfile.playwright`,
 * not `Dockerfile.e2e.playwright`): the image may run the tool's tests, or ship a server built on its
 * browsers (AnyCrawl's scraper worker).
 */
export function testToolNamed(name: string, separators: RegExp): string | undefined {
  const words = name.split(separators).filter((part) => DEVELOPMENT_WORD.test(part));
  return words.length && words.every((word) => TEST_TOOL.test(word)) ? words[0]!.toLowerCase() : undefined;
}

/** A folder named for development or tests, or inside one (kubernetes/dashboard's `hack/develop`, a `testing/` tree). */
export function inDevelopmentFolder(root: string): boolean {
  return root.split('/').some((folder) => namesDevelopment(folder, /[-_.]/));
}
