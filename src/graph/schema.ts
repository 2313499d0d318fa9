/** Builds the executable Federation 2 subgraph schema from schema/*.graphql and the resolvers. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { resolvers } from './resolvers';

/** The folder holding the SDL, the source of truth. */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

/** Reads and parses every `.graphql` file of the schema folder into one document. */
export function loadTypeDefs(dir: string = SCHEMA_DIR): DocumentNode {
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
  return parse(files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n'));
}

/** Creates the executable subgraph schema. */
export function createSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as GraphQLResolverMap<unknown> });
}
