/**
 * Federation: the gateway's `_service { sdl }` composes with a second subgraph (pins) into a
 * supergraph, and @apollo/gateway runs queries across both, including `_entities` hops into
 * this subgraph that are served by one batch of task lookups.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { OPS, startStack, type Stack } from '../support/stack';
import { startPinsSubgraph, PINS_SDL, type PinsSubgraph } from './pins-subgraph';

describe('federation with a second subgraph', () => {
  let stack: Stack;
  let pins: PinsSubgraph;
  let supergraph: ApolloServer;

  beforeAll(async () => {
    stack = await startStack();
    pins = await startPinsSubgraph();
    const sdl = await stack.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const composition = composeServices([
      { name: 'cdn', typeDefs: parse(sdl.data!._service.sdl), url: stack.url },
      { name: 'pins', typeDefs: parse(PINS_SDL), url: pins.url },
    ]);
    if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
    const gateway = new ApolloGateway({
      supergraphSdl: composition.supergraphSdl,
      buildService: ({ url }) => new RemoteGraphQLDataSource({ url }),
    });
    supergraph = new ApolloServer({ gateway });
    await supergraph.start();
  });

  afterAll(async () => {
    await supergraph?.stop();
    await pins?.close();
    await stack?.close();
  });

  async function run(query: string, variables?: Record<string, unknown>) {
    const res = await supergraph.executeOperation({ query, variables });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return res.body.singleResult;
  }

  it('serves a valid subgraph SDL with the entity keys', async () => {
    const res = await stack.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const sdl = res.data!._service.sdl;
    expect(sdl).toMatch(/type UrlTask implements Node\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Task implements Node\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
  });

  it('crosses from this subgraph into the pins subgraph', async () => {
    const result = await run(`{
      urlTasks(first: 5) { pageInfo { hasNextPage } nodes { id url note task { taskId owner } } }
    }`);
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { urlTasks: { nodes: Array<{ id: string; note: string; task: { owner: string } | null }> } }).urlTasks.nodes;
    expect(nodes).toHaveLength(5);
    for (const n of nodes) {
      expect(n.note).toBe(`note for ${n.id.slice(0, 8)}`);
      expect(n.task?.owner).toBe('cdn-team');
    }
  });

  it('resolves 100 pinned records through _entities with one batch of task lookups', async () => {
    const page = await stack.query<{ urlTasks: { nodes: Array<{ id: string; taskId: string }> } }>(
      '{ urlTasks(first: 100) { nodes { id taskId } } }',
    );
    const records = page.data!.urlTasks.nodes;
    expect(records).toHaveLength(100);
    const distinctTasks = new Set(records.map((r) => r.taskId)).size;
    await run('mutation($ids: [ID!]!) { pin(ids: $ids) }', { ids: records.map((r) => r.id) });

    const before = await stack.upstreamCalls(OPS.detail);
    const result = await run('{ pins { pageInfo { hasNextPage } nodes { id url status taskId note task { status total } } } }');
    const after = await stack.upstreamCalls(OPS.detail);

    expect(result.errors).toBeUndefined();
    const pinned = (result.data as { pins: { nodes: Array<{ id: string; taskId: string; url: string; task: { total: number } | null }> } }).pins.nodes;
    expect(pinned.map((p) => p.id)).toEqual(records.map((r) => r.id));
    expect(pinned.map((p) => p.taskId)).toEqual(records.map((r) => r.taskId));
    expect(pinned.every((p) => p.url.startsWith('http'))).toBe(true);
    // One detail call per distinct task, whatever the number of records.
    expect(after - before).toBe(distinctTasks);
  });
});
