/** Relay global ids: they round-trip, embed the task id, stay URL-safe, and anything else decodes to undefined. */
import { fromGlobalId, toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';

const b64 = (raw: string) => Buffer.from(raw, 'utf8').toString('base64url');

describe('global ids', () => {
  it.each([
    ['418389', 8110288, 1795629344012],
    ['1', 0, 0],
    ['99999999999999999999', Number.MAX_SAFE_INTEGER, 8.64e15],
    ['ff80808276f5b1f50176f6c6fa720128', 12, 1795629344012],
  ])('round-trips a UrlTask id (task %s, record %d, created %d)', (taskId, recordId, createTime) => {
    const id = toUrlTaskGlobalId(taskId, recordId, createTime);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromGlobalId(id)).toEqual({ type: 'UrlTask', taskId, recordId, createTime });
  });

  it.each([
    ['418389', 1795629344012],
    ['7', 0],
    ['FF80808276F5B1F50176F6C6FA720128', 1],
  ])('round-trips a Task id (task %s, created %d)', (taskId, createTime) => {
    const id = toTaskGlobalId(taskId, createTime);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromGlobalId(id)).toEqual({ type: 'Task', taskId, createTime });
  });

  it('round-trips ids without a creation time (the upstream did not give one): the lookup then sends none', () => {
    expect(fromGlobalId(toTaskGlobalId('418389', null))).toEqual({ type: 'Task', taskId: '418389' });
    expect(fromGlobalId(toUrlTaskGlobalId('418389', 5, null))).toEqual({ type: 'UrlTask', taskId: '418389', recordId: 5 });
    expect(toTaskGlobalId('418389', null)).not.toBe(toTaskGlobalId('418389', 0));
  });

  it('gives every record, task and type its own id', () => {
    const ids = [
      toUrlTaskGlobalId('1', 2, 3),
      toUrlTaskGlobalId('1', 3, 3),
      toUrlTaskGlobalId('2', 2, 3),
      toTaskGlobalId('1', 3),
      toTaskGlobalId('2', 3),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the encoding that ids already handed to clients use', () => {
    // Ids live in client caches and other subgraphs: changing the format breaks them.
    expect(toUrlTaskGlobalId('418389', 8110288, 1795629344012)).toBe('VXJsVGFzazo0MTgzODk6ODExMDI4ODoxNzk1NjI5MzQ0MDEy');
    expect(toTaskGlobalId('418389', 1795629344012)).toBe('VGFzazo0MTgzODk6MTc5NTYyOTM0NDAxMg');
  });

  it.each([
    ['the empty string', ''],
    ['characters outside base64url', 'VGFzazo0MTgzODk6MTc5NTYyOTM0NDAxMg=='],
    ['spaces', 'VGFz azo0'],
    ['plain garbage', 'abc'],
    ['an over-long id', 'A'.repeat(201)],
    ['an unknown type', b64('Pin:418389:1')],
    ['a lower-case type', b64('task:418389:1')],
    ['a non-numeric task id', b64('Task:abc:1')],
    ['an empty task id', b64('Task::1')],
    ['a 21-digit task id', b64(`Task:${'1'.repeat(21)}:1`)],
    ['a 31-character hex task id', b64(`Task:${'f'.repeat(31)}:1`)],
    ['a 32-character task id that is not hex', b64(`Task:${'g'.repeat(32)}:1`)],
    ['a UrlTask id with an empty task id', b64('UrlTask::1:1')],
    ['a Task id with a record part', b64('Task:418389:5:1')],
    ['a Task id without its time', b64('Task:418389')],
    ['a UrlTask id without its time', b64('UrlTask:418389:8110288')],
    ['a UrlTask id with a negative record', b64('UrlTask:418389:-1:1')],
    ['a UrlTask id with a fractional record', b64('UrlTask:418389:1.5:1')],
    ['a UrlTask id with an unsafe record', b64('UrlTask:418389:9007199254740993:1')],
    ['a UrlTask id with a non-numeric time', b64('UrlTask:418389:1:soon')],
    ['a UrlTask id with an extra part', b64('UrlTask:418389:1:2:3')],
  ])('decodes %s to undefined', (_name, id) => {
    expect(fromGlobalId(id)).toBeUndefined();
  });
});
