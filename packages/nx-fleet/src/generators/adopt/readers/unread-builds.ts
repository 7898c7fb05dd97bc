import { posix } from 'node:path';

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
 * Of those files (with their texts), the ones that build the service's Dockerfile: they name its path,
 * or its project folder and its file name (a compose `context: ./apps/api`), or, a platform's config
 * in the project folder (anyterm's `apps/web/fly.toml`), build that folder's image.
 */
export function unreadBuildsOf(
  files: ReadonlyArray<{ file: string; text: string }>,
  dockerfile: string,
  projectRoot: string,
): string[] {
  const name = posix.basename(dockerfile);
  return files
    .filter(({ file, text }) => {
      if (text.includes(dockerfile)) return true;
      if (projectRoot !== '.' && text.includes(projectRoot) && text.includes(name)) return true;
      return posix.dirname(file) === projectRoot && /(?:^|\/)(?:fly[\w.-]*\.toml|railway\.(?:json|toml))$/.test(file);
    })
    .map(({ file }) => file);
}
