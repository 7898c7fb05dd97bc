import { Document, isMap, isSeq, parseDocument } from 'yaml';

export interface Promoted {
  service: string;
  /** Registry repository, e.g. `ghcr.io/acme/orders`. */
  image: string;
  digest: string;
  contentTag: string;
}

/**
 * Kustomize: each `images:` entry whose `name` is a promoted repository (or its last path segment,
 * the way manifests often name images) gets the digest; entries for other images stay as they are.
 * Comments and layout survive: it is a file people review.
 */
export function bumpKustomization(text: string, promoted: readonly Promoted[], file: string): string {
  const document = parse(text, file);
  const images = document.get('images');
  if (images !== undefined && !isSeq(images)) throw new Error(`nx-fleet: ${file}: "images" is not a list.`);
  const list = images ?? document.createNode([]);
  for (const p of promoted) {
    const names = [p.image, p.image.split('/').pop()!];
    const entry = list.items.find((item) => isMap(item) && names.includes(String(item.get('name'))));
    if (entry && isMap(entry)) {
      entry.set('newName', p.image);
      entry.set('digest', p.digest);
      entry.delete('newTag');
    } else {
      list.add(document.createNode({ name: p.image, digest: p.digest }));
    }
  }
  document.set('images', list);
  return document.toString();
}

/** Helm values: `<service>.image.repository`/`digest`/`tag` per promoted service, other keys untouched. */
export function bumpHelmValues(text: string, promoted: readonly Promoted[], file: string): string {
  const document = parse(text, file);
  for (const p of promoted) {
    // `orders:` with nothing under it is an empty map to fill; a scalar there is a mistake to report.
    for (const path of [[p.service], [p.service, 'image']]) {
      const node = document.getIn(path);
      if (node === null) document.setIn(path, document.createNode({}));
      else if (node !== undefined && !isMap(node))
        throw new Error(`nx-fleet: ${file}: "${path.join('.')}" is not a map; it cannot hold image settings.`);
    }
    document.setIn([p.service, 'image', 'repository'], p.image);
    document.setIn([p.service, 'image', 'tag'], p.contentTag);
    document.setIn([p.service, 'image', 'digest'], p.digest);
  }
  return document.toString();
}

function parse(text: string, file: string): Document {
  // An empty file is an empty (block) map, ready to be filled.
  const document: Document = text.trim() ? parseDocument(text) : new Document({});
  if (document.errors.length)
    throw new Error(`nx-fleet: ${file} is not valid YAML (${document.errors[0]!.message.split('\n')[0]}).`);
  // Only comments: keep them above an empty map.
  if (document.contents === null) document.contents = document.createNode({}) as Document['contents'];
  if (!isMap(document.contents)) throw new Error(`nx-fleet: ${file} is not a YAML map.`);
  return document;
}
