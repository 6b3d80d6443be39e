// Whether an upload mutation's answer shows the sha256 of the files sent.
// Hashing every byte is about a third of the gateway's CPU on an upload, and
// the Platform offers no digest it could be checked against, so the files
// are hashed only for a client that selects the field.
// Directives are not evaluated: a `sha256` under @skip or @include counts as
// selected, which can only hash more, never answer without the digest.
import { Kind } from 'graphql';
import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/** The selection sets of the fields named `name` in a set, through inline and named fragments. */
function childSets(set: SelectionSetNode | undefined, name: string, fragments: Fragments, out: SelectionSetNode[], seen: Set<string>): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name && selection.selectionSet) out.push(selection.selectionSet);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      childSets(selection.selectionSet, name, fragments, out, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      childSets(fragments[selection.name.value]?.selectionSet, name, fragments, out, seen);
    }
  }
}

/** Whether a set selects the field `name` directly, through fragments too. */
function selects(set: SelectionSetNode, name: string, fragments: Fragments, seen: Set<string>): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selects(selection.selectionSet, name, fragments, seen)) return true;
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment && selects(fragment.selectionSet, name, fragments, seen)) return true;
    }
  }
  return false;
}

/** Whether `sha256` is selected under the payload field `filesField` (`file` of uploadBatchFile, `files` of ingestFiles). */
export function selectsSha256(info: GraphQLResolveInfo, filesField: 'file' | 'files'): boolean {
  const sets: SelectionSetNode[] = [];
  for (const node of info.fieldNodes) childSets(node.selectionSet, filesField, info.fragments, sets, new Set());
  return sets.some((set) => selects(set, 'sha256', info.fragments, new Set()));
}
