// Which fields a query selects on the nodes of a connection, so that list
// resolvers ask the Catalog only for the `properties` the response needs.
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

/** The names of the fields selected on a connection's nodes (`edges { node { … } }` and `nodes { … }`). */
export function selectedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const top = childFields(info.fieldNodes, info.fragments);
  const nodeFields = [...(top.get('nodes') ?? [])];
  const edges = top.get('edges');
  if (edges) nodeFields.push(...(childFields(edges, info.fragments).get('node') ?? []));
  return new Set(childFields(nodeFields, info.fragments).keys());
}

/** Whether the connection's `pageInfo` is selected: only then must the list find out if a next page exists. */
export function selectsPageInfo(info: GraphQLResolveInfo): boolean {
  return childFields(info.fieldNodes, info.fragments).has('pageInfo');
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
