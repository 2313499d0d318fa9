/** Which `_entities` representations the gateway can resolve (src/graph/representations.ts); the integration test is hostile-clients.test.ts. */
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { checkRepresentations, representationProblem } from '../../src/graph/representations';

const TASK = toTaskGlobalId('418300', 1_700_000_000_000);
const URL_TASK = toUrlTaskGlobalId('418300', 7, null);

describe('representationProblem', () => {
  it.each<[string, unknown, string | null]>([
    ['a Task with its global id', { __typename: 'Task', id: TASK }, null],
    ['a UrlTask with its global id', { __typename: 'UrlTask', id: URL_TASK }, null],
    ['extra fields beside the key', { __typename: 'Task', id: TASK, extra: 1 }, null],
    ['another subgraph\'s type', { __typename: 'Product', id: TASK }, '__typename "Product" is not an entity of this subgraph (Task or UrlTask)'],
    ['an interface of this schema', { __typename: 'Node', id: TASK }, '__typename "Node" is not an entity of this subgraph (Task or UrlTask)'],
    ['no __typename', { id: TASK }, 'has no __typename'],
    ['a numeric __typename', { __typename: 3, id: TASK }, 'has a __typename that is a number, not a string'],
    ['no id', { __typename: 'Task' }, 'has no id'],
    ['a null id', { __typename: 'Task', id: null }, 'has no id'],
    ['a numeric id', { __typename: 'Task', id: 418300 }, 'id is a number, not a string'],
    ['an object id', { __typename: 'Task', id: { id: TASK } }, 'id is an object, not a string'],
    ['a malformed id', { __typename: 'Task', id: 'garbage!' }, 'id is not the global id of a Task'],
    ['the id of the other type', { __typename: 'Task', id: URL_TASK }, 'id is not the global id of a Task'],
    ['a string', 'Task', 'is a string, not an object'],
    ['a list', [TASK], 'is a list, not an object'],
    ['null', null, 'is null, not an object'],
  ])('%s', (_name, value, problem) => {
    expect(representationProblem(value)).toBe(problem);
  });

  it('quotes a long __typename truncated', () => {
    expect(representationProblem({ __typename: 'T'.repeat(1000), id: TASK })).toBe(`__typename "${'T'.repeat(40)}…[truncated, 1000 characters]" is not an entity of this subgraph (Task or UrlTask)`);
  });
});

describe('checkRepresentations', () => {
  it('accepts a list the gateway can resolve, and an empty one', () => {
    expect(checkRepresentations([{ __typename: 'Task', id: TASK }, { __typename: 'UrlTask', id: URL_TASK }])).toBeNull();
    expect(checkRepresentations([])).toBeNull();
  });

  it('refuses with one BAD_USER_INPUT naming the first five offending indexes and counting the rest', () => {
    const list = [{ __typename: 'Task', id: TASK }, ...Array.from({ length: 8 }, (_, i) => ({ __typename: 'Task', id: i }))];
    const error = checkRepresentations(list);
    expect(error?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toBe(
      '_entities: 8 of 9 representations cannot be resolved, so none was: ' +
        '[1] id is a number, not a string; [2] id is a number, not a string; [3] id is a number, not a string; [4] id is a number, not a string; [5] id is a number, not a string; and 3 more. ' +
        'Each must be {__typename: "Task" or "UrlTask", id: that object\'s global id, as this subgraph returned it}.',
    );
  });
});
