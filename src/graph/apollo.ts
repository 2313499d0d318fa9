/**
 * Apollo Server as the gateway runs it: the schema and its executor, the document limits,
 * error formatting, and the plugins (draining the HTTP server on stop, the landing page
 * choice, observation of each request, the document limits, `_entities` representations,
 * cache-control, who gets federated traces).
 */
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { cacheControlPlugins } from './cache-control';
import type { GraphContext } from './context';
import { formatGraphQLError } from './errors';
import { executionOptions, type ExecutorKind } from './executor';
import { federationTracePlugins } from './federation-trace';
import { createQueryLimits } from './limits';
import { knownOperationTypesRule, noHttpSubscriptionsRule } from './operation-types';
import { observePlugin, type Observations } from './plugins';
import { representationsPlugin } from './representations';
import { createSchema } from './schema';

/** Options of `startApollo`. */
export interface ApolloOptions {
  readonly config: Pick<Config, 'explorer' | 'introspection' | 'queryLimits' | 'defaultPageSize' | 'shutdownTimeoutMs' | 'federationTraceSecret'>;
  readonly logger: Logger;
  /** The server Apollo drains on stop: it stops accepting, ends idle connections and waits for in-flight requests. */
  readonly httpServer: Server;
  /** Where each request's outcome is recorded for the HTTP layer. */
  readonly observations: Observations;
  /** @default 'jit' */
  readonly executor?: ExecutorKind;
}

/** Builds and starts the gateway's Apollo Server. */
export async function startApollo(options: ApolloOptions): Promise<ApolloServer<GraphContext>> {
  const { config, logger } = options;
  const limits = createQueryLimits(config.queryLimits, config.defaultPageSize);
  const plugins: ApolloServerPlugin<GraphContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
    config.explorer === 'sandbox' ? ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }) : ApolloServerPluginLandingPageDisabled(),
    observePlugin(logger, options.observations),
    ...limits.plugins,
    // After the lookup-list cap: representations the gateway cannot resolve refuse the request before it runs.
    representationsPlugin(),
    // Without introspection, "Did you mean …?" hints would still reveal the schema field by field.
    ...(config.introspection ? [] : [ApolloServerPluginDisableSuggestions()]),
    // No field declares cache hints: `no-store` without Apollo's per-field hint gathering.
    ...cacheControlPlugins<GraphContext>(),
    // Per-field timings only for a router holding FEDERATION_TRACE_SECRET, never for any client.
    ...federationTracePlugins<GraphContext>(config.federationTraceSecret),
  ];
  const apollo = new ApolloServer<GraphContext>({
    ...executionOptions(createSchema(), options.executor),
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // src/http/csrf.ts refuses the same requests first, with a message saying what to add; this stays as the backstop.
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and closes things in order; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: limits.parseOptions,
    validationRules: [...limits.validationRules, knownOperationTypesRule, noHttpSubscriptionsRule],
    logger: logger.child({ component: 'apollo' }),
    plugins,
  });
  await apollo.start();
  return apollo;
}
