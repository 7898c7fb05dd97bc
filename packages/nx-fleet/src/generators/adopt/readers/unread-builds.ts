import { posix } from 'node:path';
import { literal } from '../../../text/reg-exp';

/**
 * Files that build images with tools adopt does not read: compose files, CI workflows, Tilt, Skaffold,
 * Bake, and the deploy platforms' configs (Fly, Railway, Render, Cloud Build). Their image names, build
 * arguments and targets are not carried, so a service one of them builds gets a note saying so.
 */
const UNREAD_BUILD_FILE =
  /(?:^|\/)(?:(?:docker-)?compose[\w.-]*\.ya?ml|Tiltfile|skaffold[\w.-]*\.ya?ml|docker-bake[\w.-]*\.(?:hcl|json)|fly[\w.-]*\.toml|railway\.(?:json|toml)|render\.ya?ml|cloudbuild[\w.-]*\.ya?ml|\.gitlab-ci\.ya?ml)$|^\.github\/workflows\/[^/]+\.ya?ml$/;

export function isUnreadBuildFile(file: string): boolean {
  return UNREAD_BUILD_FILE.test(file);
}

/**
 * Of those files (with their texts), the ones that build the service's Dockerfile: they name its path
 * (as a path, not inside a longer one), or the project folder as a build context where the Dockerfile is
 * that folder's own (a compose `context: ./apps/api`, a CI step entering the folder before its `docker
 * build`), or, a platform's config or a compose file (`build: .`) in the project folder (anyterm's
 * `apps/web/fly.toml`), build that folder's image. A path in a trigger's filter
 * (athlonix's `paths-ignore: apps/admin/**`) is none.
 */
export function unreadBuildsOf(
  files: ReadonlyArray<{ file: string; text: string }>,
  dockerfile: string,
  projectRoot: string,
): string[] {
  const path = (p: string) => `(?<![\\w./-])(?:\\./)?${literal(p)}`;
  const named = new RegExp(`${path(dockerfile)}(?![\\w./-])`);
  const own = posix.dirname(dockerfile) === projectRoot && projectRoot !== '.';
  const context = new RegExp(`\\bcontext:\\s*['"]?${path(projectRoot)}/?['"]?\\s*$`, 'm');
  // A step that enters the folder and builds there (director-run's `cd apps/docker` then `docker build -t … .`).
  const entered = new RegExp(
    `(?:\\bcd\\s+|working-directory:\\s*['"]?)${path(projectRoot)}/?['"]?(?![\\w./-])(?:(?!\\bcd\\s)[\\s\\S]){0,300}?\\bdocker\\s+(?:buildx\\s+)?build\\b`,
  );
  return files
    .filter(({ file, text }) => {
      if (named.test(text) || (own && (context.test(text) || entered.test(text)))) return true;
      if (posix.dirname(file) !== projectRoot) return false;
      // In the project folder: a platform's config, or a compose file building that folder (`build: .`).
      return (
        /(?:^|\/)(?:fly[\w.-]*\.toml|railway\.(?:json|toml))$/.test(file) ||
        (own && /(?:\bbuild|\bcontext):\s*['"]?\.\/?['"]?\s*$/m.test(text))
      );
    })
    .map(({ file }) => file);
}
