// The answers of Catalog list requests, kept with the snapshot of the objects
// they were made from (catalog-store.ts): a client polling the same page asks
// the same question of the same objects, and building the page's JSON again
// was most of what a list still cost once the objects stayed parsed. A write
// makes a new snapshot, so an answer never outlives the objects it shows;
// the answers of an old snapshot go with it.
import type { CatalogObject } from './catalog-store.ts';

/** What a list request is answered with: the body and its headers. */
export interface ListAnswer {
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Distinct questions kept per snapshot; beyond, the oldest answer is dropped. */
export const MAX_ANSWERS_PER_SNAPSHOT = 32;

const answersOf = new WeakMap<readonly CatalogObject[], Map<string, ListAnswer>>();

/**
 * The answer to `question` (everything the answer depends on besides the
 * objects: the effective query and whether a Range was honoured) about
 * `snapshot`, built by `build` the first time. A failing build keeps nothing.
 */
export function listAnswer(snapshot: readonly CatalogObject[], question: string, build: () => ListAnswer): ListAnswer {
  let answers = answersOf.get(snapshot);
  if (answers === undefined) {
    answers = new Map();
    answersOf.set(snapshot, answers);
  }
  let answer = answers.get(question);
  if (answer === undefined) {
    answer = build();
    if (answers.size >= MAX_ANSWERS_PER_SNAPSHOT) answers.delete(answers.keys().next().value!);
    answers.set(question, answer);
  }
  return answer;
}
