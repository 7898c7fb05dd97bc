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
 * that folder's own (a compose `context: ./apps/api`), or, a platform's config in the project folder
 * (anyterm's `apps/web/fly.toml`), build that folder's image. A path in a trigger's filter
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
  return files
    .filter(({ file, text }) => {
      if (named.test(text) || (own && context.test(text))) return true;
      return posix.dirname(file) === projectRoot && /(?:^|\/)(?:fly[\w.-]*\.toml|railway\.(?:json|toml))$/.test(file);
    })
    .map(({ file }) => file);
}
