/**
 * Baseline B3: what a team would write by hand. A plain Apollo Server with default settings
 * (startStandaloneServer, default plugins), the same types and field names as the gateway,
 * `fetch` + `res.json()` to a signed upstream, one resolver per field and no loaders: each
 * `UrlTask.task` is its own detail call.
 *
 * Run as a process: `PORT=… CDN_ENDPOINT=… node --import tsx bench/baselines/plain-apollo.ts`.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLScalarType } from 'graphql';
import { signRequest, type AkSkCredentials, type QueryParams } from '../../src/cdn/signer';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';
import type { BaselineServer } from './passthrough';

/** Options of the plain Apollo server. */
export interface PlainApolloOptions {
  readonly endpoint: string;
  readonly credentials: AkSkCredentials;
}

const typeDefs = /* GraphQL */ `
  scalar DateTime
  enum UrlTaskStatus { PROCESSING SUCCEED FAILED WAITING REFRESHING PREHEATING }
  enum TaskType { REFRESH PREHEATING }
  enum FileType { FILE DIRECTORY }
  enum RefreshMode { ALL DETECT_MODIFY_REFRESH }
  enum TaskStatus { IN_PROCESS DONE }
  type Task { taskId: ID! status: TaskStatus! total: Int! processing: Int! succeeded: Int! failed: Int! }
  type UrlTask {
    id: ID!
    url: String!
    status: UrlTaskStatus!
    type: TaskType!
    taskId: ID!
    task: Task
    createdAt: DateTime!
    modifiedAt: DateTime
    fileType: FileType!
    mode: RefreshMode
  }
  type UrlTaskConnection { nodes: [UrlTask!]! }
  input UrlTaskFilter { createdAfter: DateTime createdBefore: DateTime }
  type Query { urlTasks(first: Int, filter: UrlTaskFilter): UrlTaskConnection! }
`;

interface UrlTaskRecord {
  id: number;
  url: string;
  status: string;
  type: string;
  task_id: number;
  modify_time: number;
  create_time: number;
  file_type: string;
  mode?: string;
}

interface TaskDetail {
  id: string;
  status: string;
  total: number;
  processing: number;
  succeed: number;
  failed: number;
}

/** Starts the plain Apollo server on `port` (0 = any free port). */
export async function startPlainApollo(options: PlainApolloOptions, port = 0): Promise<BaselineServer> {
  const origin = new URL(options.endpoint);
  // The hand-written upstream helper: sign, fetch, parse.
  const get = async <T>(path: string, query: QueryParams): Promise<T> => {
    const signed = signRequest({ method: 'GET', host: origin.host, path, query, headers: { 'content-type': 'application/json' } }, options.credentials);
    const res = await fetch(origin.origin + signed.pathAndQuery, { headers: signed.headers });
    if (!res.ok) throw new Error(`upstream answered ${res.status}`);
    return (await res.json()) as T;
  };
  const resolvers = {
    DateTime: new GraphQLScalarType({
      name: 'DateTime',
      serialize: (value) => new Date(value as number).toISOString(),
      parseValue: (value) => (typeof value === 'number' ? value : Date.parse(String(value))),
    }),
    Query: {
      urlTasks: async (_: unknown, args: { first?: number; filter?: { createdAfter?: number; createdBefore?: number } }) => {
        const page = await get<{ result: UrlTaskRecord[] }>('/v1.0/cdn/contentgateway/url-tasks', {
          start_time: args.filter?.createdAfter,
          end_time: args.filter?.createdBefore,
          offset: 0,
          limit: args.first ?? 20,
        });
        return { nodes: page.result };
      },
    },
    UrlTask: {
      id: (r: UrlTaskRecord) => Buffer.from(`UrlTask:${r.task_id}:${r.id}:${r.create_time}`, 'utf8').toString('base64url'),
      status: (r: UrlTaskRecord) => r.status.toUpperCase(),
      type: (r: UrlTaskRecord) => r.type.toUpperCase(),
      taskId: (r: UrlTaskRecord) => String(r.task_id),
      createdAt: (r: UrlTaskRecord) => r.create_time,
      modifiedAt: (r: UrlTaskRecord) => r.modify_time,
      fileType: (r: UrlTaskRecord) => r.file_type.toUpperCase(),
      mode: (r: UrlTaskRecord) => (r.mode ? r.mode.toUpperCase() : null),
      task: (r: UrlTaskRecord) =>
        get<TaskDetail>(`/v1.0/cdn/historytasks/${r.task_id}/detail`, { page_size: 1, page_number: 1, create_time: r.create_time }),
    },
    Task: {
      taskId: (t: TaskDetail) => t.id,
      status: (t: TaskDetail) => (t.status === 'task_done' ? 'DONE' : 'IN_PROCESS'),
      succeeded: (t: TaskDetail) => t.succeed,
    },
  };
  const apollo = new ApolloServer({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(apollo, { listen: { port, host: '127.0.0.1' } });
  return { url, close: () => apollo.stop() };
}

if (require.main === module) {
  const endpoint = process.env.CDN_ENDPOINT;
  if (!endpoint) throw new Error('CDN_ENDPOINT must name the upstream, e.g. http://127.0.0.1:9100');
  startPlainApollo(
    { endpoint, credentials: { ak: process.env.SIMULATOR_AK ?? DEFAULT_SIMULATOR_AK, sk: process.env.SIMULATOR_SK ?? DEFAULT_SIMULATOR_SK } },
    Number(process.env.PORT ?? 0),
  )
    .then((s) => process.stdout.write(`plain Apollo baseline at ${s.url}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`plain Apollo baseline failed to start: ${String(err)}\n`);
      process.exit(1);
    });
}
