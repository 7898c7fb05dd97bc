/**
 * Folder globs (`<folder>/**`) that hold left-out files, refined towards the paths in them that are
 * not: a folder's files by name, a subfolder holding none whole, one holding only left-out files gone.
 * For inputs Nx 23's affected reads without negations. Shallow folders first, and the list grows by
 * at most `budget` patterns: a folder left whole matches too much, never too little. `files` is Nx's
 * list of the workspace's files (what a change can name); other patterns stay as they are.
 */
export function refinedFolders(
  patterns: readonly string[],
  files: readonly string[],
  leftOut: (file: string) => boolean,
  budget: number,
): string[] {
  const folders = new Set(patterns.filter((p) => p.endsWith('/**')).map((p) => p.slice(0, -3)));
  if (!folders.size) return [...patterns];
  const inside = new Map<string, string[]>();
  for (const file of files) {
    for (let slash = file.indexOf('/'); slash !== -1; slash = file.indexOf('/', slash + 1)) {
      const folder = file.slice(0, slash);
      if (!folders.has(folder)) continue;
      listUnder(inside, folder, file);
      break;
    }
  }
  // What each pattern becomes, refined or not; a refined folder's subfolders wait their turn, shallow first.
  const result = new Map<string, string[]>(patterns.map((p) => [p, [p]]));
  let queue = [...inside].map(([folder, held]) => ({ origin: `${folder}/**`, folder, held }));
  let count = patterns.length;
  while (queue.length) {
    const next: typeof queue = [];
    for (const { origin, folder, held } of queue) {
      if (!held.some(leftOut)) continue;
      const paths: string[] = [];
      const children = new Map<string, string[]>();
      for (const file of held) {
        const slash = file.indexOf('/', folder.length + 1);
        if (slash === -1) {
          if (!leftOut(file)) paths.push(file);
        } else listUnder(children, file.slice(0, slash), file);
      }
      const refinable: typeof queue = [];
      for (const [child, childFiles] of children) {
        if (childFiles.every(leftOut)) continue;
        paths.push(`${child}/**`);
        refinable.push({ origin, folder: child, held: childFiles });
      }
      const grows = paths.length - 1;
      if (grows > 0 && count + grows > patterns.length + budget) continue;
      count += grows;
      const list = result.get(origin)!;
      list.splice(list.indexOf(`${folder}/**`), 1, ...paths.sort());
      next.push(...refinable);
    }
    queue = next;
  }
  return [...result.values()].flat();
}

function listUnder(lists: Map<string, string[]>, key: string, item: string): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}
