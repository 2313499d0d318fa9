/**
 * One contract: src/cdn/contract.ts (what `npm run check-upstream` and the contract tests check
 * bodies against) holds exactly the fields, kinds and enum values of the hand-transcribed SDK
 * fixtures, and names only SDK files the fixtures' `_source` lists.
 */
import { CONTRACTS } from './support/contract';
import { enumOf, fieldsAt, FIXTURES, loadEndpoint } from './support/fixtures';

const url = FIXTURES['url-tasks'];
const history = FIXTURES.historytasks;
const detail = FIXTURES.detail;

describe('src/cdn/contract.ts against the SDK fixtures', () => {
  it.each(Object.keys(FIXTURES) as Array<keyof typeof FIXTURES>)('%s: the same fields and kinds at every level, sources from the fixture', (operation) => {
    const fixture = FIXTURES[operation];
    const contract = CONTRACTS[operation];
    expect(contract.top.fields).toEqual(fieldsAt(fixture, ''));
    if (contract.list) expect(contract.list.records.fields).toEqual(fieldsAt(fixture, `${contract.list.key}[]`));
    else expect(Object.keys(fixture.response.fields).some((f) => f.includes('[]'))).toBe(false);
    const sources = fixture._source.map((s) => s.replace(/ \(.*\)$/, ''));
    for (const source of contract.sources) expect(sources).toContain(source);
  });

  it('the old-task (hex id) detail fixture has the same model', () => {
    const hex = loadEndpoint('task-detail-hex-id');
    expect(CONTRACTS.detail.top.fields).toEqual(fieldsAt(hex, ''));
    expect(CONTRACTS.detail.list?.records.fields).toEqual(fieldsAt(hex, 'urls[]'));
  });

  it('enum values: the request enums of the fixtures, url-tasks statuses upper case, detail URL types with REFRESH_AFTER_PREHEATING', () => {
    const taskEnums = { task_type: enumOf(history, 'task_type'), status: enumOf(history, 'status'), file_type: enumOf(history, 'file_type') };
    expect(CONTRACTS['url-tasks'].list?.records.enums).toEqual({
      status: enumOf(url, 'status').map((s) => s.toUpperCase()),
      type: enumOf(url, 'task_type'),
      file_type: enumOf(url, 'file_type'),
      mode: enumOf(FIXTURES.refresh, 'refresh_task.mode'),
    });
    expect(CONTRACTS.historytasks.list?.records.enums).toEqual(taskEnums);
    expect(CONTRACTS.detail.top.enums).toEqual(taskEnums);
    expect(CONTRACTS.detail.list?.records.enums).toEqual({
      status: enumOf(detail, 'status'),
      task_type: [...enumOf(url, 'task_type'), 'REFRESH_AFTER_PREHEATING'],
      fail_classify: ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR'],
    });
  });
});
