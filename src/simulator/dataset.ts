/**
 * The seeded data set: about `records` URL records grouped into tasks, laid over the 31 days
 * before `now`. Pure and deterministic: the same options give the same records, ids included.
 */
import type { ActiveStatus, Failure, FileType, RecordType, RefreshMode, TaskEntry, UrlRecord } from './model';
import { intBetween, logUniform, mulberry32, pick, type Random } from './prng';

/** How many days the data set covers, ending at `now`. */
export const DATASET_DAYS = 31;
/** The reasons a failed record may show: the three `fail_classify` values url_object.py documents. */
export const FAILURES: readonly Failure[] = [
  { classify: 'ORIGIN_ERROR', desc: 'The origin server answered with an error status.' },
  { classify: 'INNER_ERROR', desc: 'An internal error of the CDN system.' },
  { classify: 'UNKNOWN_ERROR', desc: 'The refresh or preheat failed for an unknown reason.' },
];
// Older than 12 days: historytasks shows both formats, and the detail (15 days back with create_time) reaches a few hex ids.
/** Tasks created this long before the data set's end carry 32-hex `ff8080…` ids (the docs' example format). */
export const HEX_ID_AGE_MS = 12 * 24 * 3600 * 1000;
/** About this share of preheats shows `task_type` REFRESH_AFTER_PREHEATING on its detail URLs. */
export const REFRESH_AFTER_PREHEATING_SHARE = 0.1;

/** What the data set depends on. */
export interface DatasetOptions {
  readonly seed: number;
  readonly records: number;
  /** Epoch ms the data set ends at. */
  readonly now: number;
}

/** Records sorted by create_time (ids increase with it) and the tasks holding them, same order. */
export interface Dataset {
  readonly records: UrlRecord[];
  readonly tasks: TaskEntry[];
}

// Module-scope copies: global lookups are slow inside jest's vm sandbox.
const { floor, min, max, round } = Math;
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
// Tasks created in the last hour run long, so that "now" always shows work in progress.
const RECENT_TASKS = 12;
const FIRST_RECORD_ID = 8_000_000;
const FIRST_TASK_ID = 400_000;
const FOLDERS = ['static', 'assets', 'img', 'images', 'video', 'download', 'css', 'js', 'media', 'docs', 'app', 'news'];
const SUBFOLDERS = ['2024', '2025', 'v1', 'v2', 'home', 'banner', 'product', 'user', 'thumbs', 'hd'];
const NAMES = ['index', 'logo', 'banner', 'main', 'app', 'vendor', 'style', 'cover', 'intro', 'test', 'release', 'poster'];
const EXTENSIONS = ['jpg', 'png', 'webp', 'js', 'css', 'mp4', 'html', 'json', 'zip', 'apk'];

interface TaskShape {
  readonly type: RecordType;
  readonly fileType: FileType;
  readonly size: number;
}

/** Generates the data set for a seed, a record count and an end instant. */
export function generateDataset(options: DatasetOptions): Dataset {
  const random = mulberry32(options.seed);
  const domains = Array.from({ length: 12 }, () => `${word(random, 8)}.${word(random, 8)}.com`);
  const shapes: TaskShape[] = [];
  for (let planned = 0; planned < options.records; ) {
    const shape = drawShape(random, options.records - planned);
    shapes.push(shape);
    planned += shape.size;
  }
  const times = drawCreateTimes(random, shapes.length, options.now);
  const records: UrlRecord[] = [];
  const tasks: TaskEntry[] = [];
  let recordId = FIRST_RECORD_ID;
  let taskId = FIRST_TASK_ID;
  // A generator of its own, so the id formats and task kinds leave the main sequence (and every record) unchanged.
  const extras = mulberry32(options.seed ^ 0x1d5_4e11);
  const hexIds = new Set<string>();
  shapes.forEach((shape, index) => {
    const createTime = times[index] as number;
    taskId += intBetween(random, 1, 9);
    // Other tenants' records take ids too, hence the gap before each task.
    recordId += intBetween(random, 1, 40) - 1;
    const task = buildTask(random, { ...shape, taskId, firstRecordId: recordId, createTime, domain: pick(random, domains), recent: createTime >= options.now - HOUR });
    recordId += shape.size;
    const historyId = createTime < options.now - HEX_ID_AGE_MS ? uniqueHexId(extras, hexIds) : undefined;
    const refreshAfterPreheating = task.type === 'PREHEATING' && extras() < REFRESH_AFTER_PREHEATING_SHARE;
    tasks.push({ ...task, ...(historyId ? { historyId } : {}), ...(refreshAfterPreheating ? { refreshAfterPreheating } : {}) });
    for (const record of task.records) records.push(record);
  });
  return { records, tasks };
}

// Draws a 32-hex id in the `ff8080…` format of older tasks (Hibernate's uuid.hex), never one drawn before.
function uniqueHexId(random: Random, taken: Set<string>): string {
  for (;;) {
    let id = 'ff808081';
    for (let i = 0; i < 3; i++) id += floor(random() * 2 ** 32).toString(16).padStart(8, '0');
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

// Draws a task's type, file type and size: most tasks are small, a few hold hundreds of URLs.
function drawShape(random: Random, remaining: number): TaskShape {
  const type: RecordType = random() < 0.7 ? 'REFRESH' : 'PREHEATING';
  const fileType: FileType = type === 'REFRESH' && random() < 0.15 ? 'directory' : 'file';
  const r = random();
  let size: number;
  if (r < 0.5) size = 1;
  else if (r < 0.75) size = intBetween(random, 2, 5);
  else if (r < 0.92) size = intBetween(random, 6, 20);
  else if (r < 0.99) size = intBetween(random, 21, 100);
  else size = round(logUniform(random, 101, 1000));
  // The API accepts at most 100 directories per call.
  if (fileType === 'directory') size = min(size, 100);
  return { type, fileType, size: min(size, remaining) };
}

// Draws sorted creation times over the window, at least 4 ms apart so tasks never interleave.
function drawCreateTimes(random: Random, count: number, now: number): number[] {
  const start = now - DATASET_DAYS * DAY;
  const recent = min(RECENT_TASKS, count);
  const times: number[] = [];
  for (let i = 0; i < count - recent; i++) times.push(start + floor(random() * (DATASET_DAYS * DAY - HOUR)));
  for (let i = 0; i < recent; i++) times.push(now - HOUR + floor(random() * (HOUR - 10 * SECOND)));
  times.sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) times[i] = max(times[i] as number, (times[i - 1] as number) + 4);
  return times;
}

interface TaskPlan extends TaskShape {
  readonly taskId: number;
  readonly firstRecordId: number;
  readonly createTime: number;
  readonly domain: string;
  readonly recent: boolean;
}

// Builds one task and its records: shared task_id, create_times within 4 ms, jittered timelines.
function buildTask(random: Random, plan: TaskPlan): TaskEntry {
  const duration = plan.recent
    ? intBetween(random, HOUR, 4 * HOUR)
    : random() < 0.03
      ? logUniform(random, HOUR, 30 * HOUR)
      : logUniform(random, 3 * SECOND, 15 * 60 * SECOND);
  const f = random();
  const failRate = f < 0.9 ? 0.01 : f < 0.98 ? 0.3 : 1;
  const failure = pick(random, FAILURES);
  const active: ActiveStatus = random() < 0.5 ? 'PROCESSING' : plan.type === 'REFRESH' ? 'REFRESHING' : 'PREHEATING';
  const mode = drawMode(random, plan);
  const records: UrlRecord[] = [];
  for (let i = 0; i < plan.size; i++) {
    const createTime = plan.createTime + floor((i * 4) / plan.size);
    const span = duration * (0.8 + 0.4 * random());
    // One object shape for every record (mode may be undefined): keeps generation and queries monomorphic.
    records.push({
      id: plan.firstRecordId + i,
      url: plan.fileType === 'directory' ? directoryUrl(random, plan.domain) : fileUrl(random, plan.domain),
      type: plan.type,
      taskId: plan.taskId,
      createTime,
      fileType: plan.fileType,
      mode,
      waitUntil: createTime + floor(span * 0.25 * random()),
      settleAt: createTime + floor(span),
      active,
      final: random() < failRate ? 'FAILED' : 'SUCCEED',
      failure,
      fixed: undefined,
    });
  }
  return { id: plan.taskId, type: plan.type, fileType: plan.fileType, createTime: plan.createTime, records };
}

// Directories always carry a mode; a few file refreshes do too; preheats never.
function drawMode(random: Random, plan: TaskShape): RefreshMode | undefined {
  if (plan.fileType === 'directory') return random() < 0.8 ? 'all' : 'detect_modify_refresh';
  if (plan.type === 'REFRESH' && random() < 0.05) return 'all';
  return undefined;
}

// Builds a file URL from a small vocabulary, so that some URLs come back in several tasks.
function fileUrl(random: Random, domain: string): string {
  const scheme = random() < 0.9 ? 'https' : 'http';
  return `${scheme}://${domain}/${pick(random, FOLDERS)}/${pick(random, SUBFOLDERS)}/${pick(random, NAMES)}${intBetween(random, 0, 20)}.${pick(random, EXTENSIONS)}`;
}

// Builds a directory URL (ending in a slash).
function directoryUrl(random: Random, domain: string): string {
  const scheme = random() < 0.9 ? 'https' : 'http';
  return `${scheme}://${domain}/${pick(random, FOLDERS)}/${pick(random, SUBFOLDERS)}/`;
}

// Draws a lower-case word of the given length.
function word(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(97 + floor(random() * 26));
  return out;
}
