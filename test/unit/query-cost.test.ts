/** Query cost weighted by page sizes: literal and variable first/last, default page size, list arguments, fragments. */
import { buildSchema, parse } from 'graphql';
import { analyseOperation, estimateCost, type LookupModel } from '../../src/graph/cost';

const schema = buildSchema(`
  type Query { items(first: Int, last: Int): Conn!  nodes(ids: [ID!]!): [Item]!  plain: Item  item(id: ID!): Item }
  type Conn { nodes: [Item!]!  totalCount: Int! }
  type Item { id: ID!  name: String  children(first: Int, last: Int): Conn! }
`);

const cost = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  estimateCost(schema, parse(query), operationName, variables, { defaultPageSize: 20 });

describe('estimateCost', () => {
  it('charges 1 per field outside lists', () => {
    expect(cost('{ plain { id name } }')).toBe(3);
  });

  it('multiplies what a page selects by its first or last, literal or variable', () => {
    // items: 1 + 10 × (nodes: 1 + id + name = 3) = 31
    expect(cost('{ items(first: 10) { nodes { id name } } }')).toBe(31);
    expect(cost('{ items(last: 10) { nodes { id name } } }')).toBe(31);
    expect(cost('query Q($n: Int) { items(first: $n) { nodes { id name } } }', { n: 10 })).toBe(31);
  });

  it('uses the default page size when a page field gets no first/last (or a variable left unset)', () => {
    expect(cost('{ items { totalCount } }')).toBe(1 + 20 * 1);
    expect(cost('query Q($n: Int) { items(first: $n) { totalCount } }')).toBe(1 + 20 * 1);
  });

  it('multiplies nested pages', () => {
    // items: 1 + 5 × (nodes: 1 + (id 1 + children: 1 + 4 × (totalCount 1))) = 1 + 5 × 7
    expect(cost('{ items(first: 5) { nodes { id children(first: 4) { totalCount } } } }')).toBe(36);
  });

  it('weights a list argument by its length', () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id name } }')).toBe(1 + 3 * 2);
    expect(cost('query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b', 'c', 'd'] })).toBe(1 + 4 * 1);
  });

  it('counts fragments where they are spread, and computes each once however often it is spread', () => {
    expect(cost('{ items(first: 2) { nodes { ...F } } } fragment F on Item { id name }')).toBe(1 + 2 * 3);
    expect(cost('{ items(first: 2) { nodes { ... on Item { id name } } } }')).toBe(1 + 2 * 3);
    // 2^40 expansions if fragments were walked naively (this would never finish); memoized it is instant.
    const defs = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Item { ${i === 39 ? 'id' : `...F${i + 1} ...F${i + 1}`} }`).join('\n');
    expect(cost(`{ plain { ...F0 } } ${defs}`)).toBe(1 + 2 ** 39);
  });

  it('charges nothing for introspection, so explorers can always load the schema', () => {
    expect(cost('{ __schema { types { name fields { name } } } __typename }')).toBe(0);
  });

  it('picks the named operation, and returns 0 when the name matches none', () => {
    const doc = 'query A { plain { id } } query B { items(first: 3) { totalCount } }';
    expect(cost(doc, {}, 'A')).toBe(2);
    expect(cost(doc, {}, 'B')).toBe(4);
    expect(cost(doc, {}, 'C')).toBe(0);
  });

  it('applies variable defaults as execution would, and a value given over its default', () => {
    expect(cost('query Q($n: Int = 10) { items(first: $n) { nodes { id name } } }')).toBe(31);
    expect(cost('query Q($n: Int = 100) { items(first: $n) { nodes { id name } } }', { n: 10 })).toBe(31);
    expect(cost('query Q($ids: [ID!]! = ["a", "b", "c"]) { nodes(ids: $ids) { id name } }')).toBe(1 + 3 * 2);
    // An explicit null is null, not the default: the default page size applies.
    expect(cost('query Q($n: Int = 100) { items(first: $n) { totalCount } }', { n: null })).toBe(1 + 20 * 1);
  });
});

describe('analyseOperation: detail lookups and lookup lists', () => {
  // nodes: one per id; item: one; Item.children: one unless an enclosing `item` already loaded it (the state says so).
  const lookups: LookupModel = {
    initialState: 'none',
    step: (coordinate, _node, state) =>
      coordinate === 'Query.nodes'
        ? { lookup: true, listArgument: 'ids', childState: state }
        : coordinate === 'Query.item'
          ? { lookup: true, childState: 'loaded' }
          : coordinate === 'Item.children'
            ? { lookup: state !== 'loaded', childState: state }
            : { lookup: false, childState: state },
  };
  const analyse = (query: string, variables: Record<string, unknown> = {}) => analyseOperation(schema, parse(query), undefined, variables, { defaultPageSize: 20, lookups });

  it('counts one lookup per list item, or one per resolution, multiplied by the pages around it and summed over aliases', () => {
    expect(analyse('{ nodes(ids: ["a", "b"]) { id } }').lookups).toBe(2);
    expect(analyse('{ a: item(id: "1") { id } b: item(id: "2") { id } }').lookups).toBe(2);
    // children under a page of 5 items, each with a nested lookup: 5 × 1
    expect(analyse('{ items(first: 5) { nodes { children(first: 3) { totalCount } } } }').lookups).toBe(5);
    // nodes of 3 ids, each resolving children: 3 + 3 × 1
    expect(analyse('query Q($ids: [ID!]!) { nodes(ids: $ids) { children { totalCount } } }', { ids: ['a', 'b', 'c'] }).lookups).toBe(6);
    expect(analyse('query Q($ids: [ID!]! = ["a", "b"]) { x: nodes(ids: $ids) { id } y: nodes(ids: $ids) { id } z: nodes(ids: $ids) { id } }').lookups).toBe(6);
    expect(analyse('{ plain { id } }').lookups).toBe(0);
  });

  it('counts nothing for a field whose data an enclosing lookup already loaded, in fields and fragments alike', () => {
    expect(analyse('{ item(id: "1") { children { totalCount } } }').lookups).toBe(1);
    expect(analyse('{ item(id: "1") { ...C } plain { ...C } } fragment C on Item { children { totalCount } }').lookups).toBe(1 + 1);
  });

  it('reports the longest lookup list, literal, variable or default', () => {
    expect(analyse('{ a: nodes(ids: ["a"]) { id } b: nodes(ids: ["a", "b"]) { id } }').longestList).toEqual({ field: 'nodes', argument: 'ids', length: 2 });
    expect(analyse('query Q($ids: [ID!]! = ["a", "b", "c"]) { nodes(ids: $ids) { id } }').longestList).toEqual({ field: 'nodes', argument: 'ids', length: 3 });
    expect(analyse('{ plain { id } }').longestList).toBeNull();
  });
});
