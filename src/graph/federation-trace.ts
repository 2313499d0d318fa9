/**
 * Who receives federated traces (`apollo-federation-include-trace: ftv1`, per-field timings in
 * `extensions.ftv1`): Apollo Server turns them on for any client of a subgraph. Here they are
 * off unless FEDERATION_TRACE_SECRET is set, and then only requests that carry the secret in
 * `x-federation-trace-secret` (a header the trusted router is configured to send) get them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';

/** The header that carries FEDERATION_TRACE_SECRET from a trusted router. */
export const TRACE_SECRET_HEADER = 'x-federation-trace-secret';

/**
 * Returns the plugins that decide who gets federated traces: Apollo's automatic inline-trace
 * plugin is always disabled; with a secret, its tracing runs for requests whose
 * `x-federation-trace-secret` matches (compared in constant time), and no others.
 */
export function federationTracePlugins<TContext extends BaseContext>(secret: string | undefined): ApolloServerPlugin<TContext>[] {
  const disabled = ApolloServerPluginInlineTraceDisabled() as ApolloServerPlugin<TContext>;
  if (secret === undefined) return [disabled];
  // Enabled unconditionally (no subgraph check): the schema is a subgraph, and this wrapper is what Apollo sees.
  const inline = ApolloServerPluginInlineTrace() as ApolloServerPlugin<TContext>;
  const expected = digest(secret);
  const gated: ApolloServerPlugin<TContext> = {
    async requestDidStart(requestContext: GraphQLRequestContext<TContext>): Promise<GraphQLRequestListener<TContext> | void> {
      const presented = requestContext.request.http?.headers.get(TRACE_SECRET_HEADER);
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) return;
      return inline.requestDidStart?.(requestContext);
    },
  };
  return [disabled, gated];
}

// SHA-256 of a secret, so the comparison takes the same time whatever the presented length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
