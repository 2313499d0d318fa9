/**
 * The published client SDL (schema/generated/client.graphql): the API the gateway serves,
 * without Federation machinery. Compared with the executable schema through graphql-js's own
 * schema diff, so a field, argument, default or nullability that differs between what is served
 * and what is published fails here. (Whether the file is up to date is `npm test`'s
 * `sdl:check`; whether Relay compiles against it is test/integration/relay-compiler.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { BreakingChangeType, buildSchema, parse, findBreakingChanges, findDangerousChanges, printSchema, type GraphQLSchema } from 'graphql';
import { CLIENT_SDL_HEADER, CLIENT_SDL_PATH, printClientSdl, toClientSchema } from '../../src/graph/client-schema';
import { createSchema, loadTypeDefs } from '../../src/graph/schema';

const FEDERATION_TYPE = /^(_Any|_Entity|_Service|link__\w+|federation__\w+)$/;
const FEDERATION_FIELDS = ['Query._entities', 'Query._service'];

// A change's subject: the type or field its description starts with (`Query._entities was removed.` → `Query._entities`).
const subjectOf = (description: string): string => description.split(' ')[0] ?? '';

let served: GraphQLSchema;
let published: GraphQLSchema;
let text: string;
beforeAll(() => {
  served = createSchema();
  text = readFileSync(CLIENT_SDL_PATH, 'utf8');
  published = buildSchema(text);
});

describe('client SDL', () => {
  it('carries no Federation machinery: no @link, @key or @shareable, no _entities, _service, _Any, _Entity, link__ or federation__', () => {
    expect(text.startsWith(`${CLIENT_SDL_HEADER}\n`)).toBe(true);
    for (const federation of [/@link\b/, /@key\b/, /@shareable\b/, /\bextend schema\b/, /\b_entities\b/, /\b_service\b/, /\b_Any\b/, /\b_Entity\b/, /\b_Service\b/, /link__/, /federation__/, /^directive @/m]) {
      expect(text).not.toMatch(federation);
    }
    // The served schema does carry them: the checks above look for what is really there.
    const servedSdl = printSchema(served);
    expect(servedSdl).toMatch(/_entities\(representations: \[_Any!\]!\): \[_Entity\]!/);
    expect(servedSdl).toMatch(/^directive @key/m);
  });

  it('publishes every type, field, argument and default the gateway serves, with the same nullability', () => {
    // Served → published: the only removals are Federation's own types, fields and directives.
    const removed = findBreakingChanges(served, published);
    const unexpected = removed.filter(
      (change) =>
        !(change.type === BreakingChangeType.TYPE_REMOVED && FEDERATION_TYPE.test(subjectOf(change.description))) &&
        !(change.type === BreakingChangeType.FIELD_REMOVED && FEDERATION_FIELDS.includes(subjectOf(change.description))) &&
        !(change.type === BreakingChangeType.DIRECTIVE_REMOVED && !['@include', '@skip', '@deprecated', '@specifiedBy', '@oneOf'].includes(subjectOf(change.description))),
    );
    expect(unexpected.map((c) => c.description)).toEqual([]);
    expect(removed.map((c) => subjectOf(c.description))).toEqual(expect.arrayContaining(['_Entity', '_Any', 'Query._entities', 'Query._service']));
    // Published → served: nothing removed or changed, in either the breaking or the dangerous sense.
    expect(findBreakingChanges(published, served).map((c) => c.description)).toEqual([]);
    expect(findDangerousChanges(published, served).map((c) => c.description)).toEqual([]);
    expect(findDangerousChanges(served, published).map((c) => c.description)).toEqual([]);
  });

  it('is what the executable schema with its resolvers prints, descriptions included', () => {
    expect(printClientSdl()).toBe(`${CLIENT_SDL_HEADER}\n\n${printSchema(toClientSchema(served, loadTypeDefs()))}\n`);
    expect(text).toContain('"""A Relay connection of URL records."""');
  });

  it('follows a schema change: a field made nullable in schema/*.graphql is nullable in the regenerated SDL', () => {
    const typeDefs = loadTypeDefs();
    const source = typeDefs.loc?.source.body ?? '';
    expect(source).toMatch(/hasNextPage: Boolean!/);
    // Re-parsed from the edited text, as the script reads an edited file.
    const changed = printClientSdl(parse(source.replace('hasNextPage: Boolean!', 'hasNextPage: Boolean')));
    expect(changed).not.toBe(printClientSdl(typeDefs));
    expect(buildSchema(changed).getType('PageInfo')?.toConfig()).toMatchObject({ fields: { hasNextPage: { type: expect.objectContaining({ name: 'Boolean' }) } } });
  });
});
