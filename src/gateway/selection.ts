// Which fields a query selects, so that resolvers ask the Platform only for
// what the response needs: list resolvers pick the Catalog `properties`, and
// a field can be answered from what its parent already holds when the
// selection under it needs nothing more.
//
// The answers depend only on the document, so they are remembered per field
// node: Apollo keeps parsed documents (its document store), so a repeated
// query, and every item of a list, reuses the analysis instead of walking the
// selection again. Directives are not evaluated: a field under @skip or
// @include counts as selected, which can only ask for more, never less.
import { Kind } from 'graphql';
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/** Field names directly selected in a selection set, through inline and named fragments. */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Fragments, out: Map<string, FieldNode[]>): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const list = out.get(selection.name.value) ?? [];
      list.push(selection);
      out.set(selection.name.value, list);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldsOf(selection.selectionSet, fragments, out);
    } else {
      fieldsOf(fragments[selection.name.value]?.selectionSet, fragments, out);
    }
  }
}

function childFields(nodes: readonly FieldNode[], fragments: Fragments): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  for (const node of nodes) fieldsOf(node.selectionSet, fragments, out);
  return out;
}

/**
 * An analysis of one field's selection, remembered per field node. A field
 * selected twice under one response key (merged nodes) is analysed node by
 * node and the answers combined, so that each answer stays a function of
 * one node of the document.
 */
function memoizedPerNode<T>(analyse: (node: FieldNode, fragments: Fragments) => T, combine: (answers: readonly T[]) => T): (info: GraphQLResolveInfo) => T {
  const memo = new WeakMap<FieldNode, T>();
  const one = (node: FieldNode, fragments: Fragments): T => {
    let answer = memo.get(node);
    if (answer === undefined) {
      answer = analyse(node, fragments);
      memo.set(node, answer);
    }
    return answer;
  };
  return (info) => (info.fieldNodes.length === 1 ? one(info.fieldNodes[0]!, info.fragments) : combine(info.fieldNodes.map((node) => one(node, info.fragments))));
}

function union(sets: ReadonlyArray<ReadonlySet<string>>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const set of sets) for (const name of set) out.add(name);
  return out;
}

/** The names of the fields selected on a connection's nodes (`edges { node { … } }` and `nodes { … }`). */
export const selectedNodeFields: (info: GraphQLResolveInfo) => ReadonlySet<string> = memoizedPerNode((node, fragments) => {
  const top = childFields([node], fragments);
  const nodeFields = [...(top.get('nodes') ?? [])];
  const edges = top.get('edges');
  if (edges) nodeFields.push(...(childFields(edges, fragments).get('node') ?? []));
  return new Set(childFields(nodeFields, fragments).keys());
}, union);

/** The names of the fields selected directly under this field. */
export const selectedFields: (info: GraphQLResolveInfo) => ReadonlySet<string> = memoizedPerNode((node, fragments) => new Set(childFields([node], fragments).keys()), union);

/** Whether the connection's `pageInfo` is selected: only then must the list find out if a next page exists. */
export const selectsPageInfo: (info: GraphQLResolveInfo) => boolean = memoizedPerNode(
  (node, fragments) => childFields([node], fragments).has('pageInfo'),
  (answers) => answers.includes(true),
);

/** Whether every field selected under this field is one of `allowed` (`__typename` always is). */
export function selectsOnly(info: GraphQLResolveInfo, allowed: ReadonlySet<string>): boolean {
  for (const field of selectedFields(info)) if (field !== '__typename' && !allowed.has(field)) return false;
  return true;
}

/**
 * The Catalog `properties` for a selection, from a map of GraphQL field →
 * properties. Undefined (all properties) when a selected field is not in the
 * map, so a new field never silently reads a projected-away property.
 */
export function catalogProperties(selected: ReadonlySet<string>, map: Readonly<Record<string, readonly string[]>>, minimal: string): string[] | undefined {
  const properties = new Set<string>();
  for (const field of selected) {
    if (field === '__typename') continue;
    const needs = map[field];
    if (needs === undefined) return undefined;
    for (const property of needs) properties.add(property);
  }
  // An empty projection would ask for everything; `id` alone still needs one property.
  if (properties.size === 0) properties.add(minimal);
  return [...properties].sort();
}
