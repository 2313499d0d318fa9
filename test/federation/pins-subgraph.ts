/**
 * A second subgraph for the federation tests: "pins" lets a team pin URL records and tasks
 * and annotate them. It extends UrlTask and Task with fields of its own and defines its own
 * PageInfo, as a real neighbouring subgraph would.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** The pins subgraph's SDL. */
export const PINS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type UrlTask @key(fields: "id") {
    id: ID!
    "A note a person left on this record."
    note: String!
  }

  type Task @key(fields: "id") {
    id: ID!
    owner: String!
  }

  type PinConnection {
    nodes: [UrlTask!]!
    pageInfo: PageInfo!
  }

  type Query {
    pins: PinConnection!
  }

  type Mutation {
    pin(ids: [ID!]!): Int!
  }
`;

/** A running pins subgraph. */
export interface PinsSubgraph {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the pins subgraph on a free loopback port. */
export async function startPinsSubgraph(): Promise<PinsSubgraph> {
  let pinned: string[] = [];
  const schema = buildSubgraphSchema({
    typeDefs: parse(PINS_SDL),
    resolvers: {
      Query: {
        pins: () => ({
          nodes: pinned.map((id) => ({ id })),
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
        }),
      },
      Mutation: {
        pin: (_: unknown, { ids }: { ids: string[] }) => {
          pinned = ids;
          return ids.length;
        },
      },
      UrlTask: {
        note: (ref: { id: string }) => `note for ${ref.id.slice(0, 8)}`,
        __resolveReference: (ref: { id: string }) => ref,
      },
      Task: {
        owner: () => 'cdn-team',
        __resolveReference: (ref: { id: string }) => ref,
      },
    } as never,
  });
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}
