/**
 * Cache-control without per-field cost. Apollo Server installs its CacheControl plugin by
 * default; it wraps every field resolver of the schema to gather cache hints, which costs
 * about a quarter of the gateway's CPU on a page of 100 records (bench/README.md). This schema
 * declares no hints, so the default plugin always ends at the same answer, `no-store`:
 * `cacheControlPlugins` disables it and sends that header directly, once per response.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';

/** Returns the plugins to install: Apollo's CacheControl disabled, and a constant `cache-control: no-store` on GraphQL responses. */
export function cacheControlPlugins<TContext extends object>(): ApolloServerPlugin<TContext>[] {
  return [ApolloServerPluginCacheControlDisabled(), noStorePlugin<TContext>()];
}

/** Sets `cache-control: no-store` on every GraphQL response, as Apollo's default does for uncacheable ones. */
export function noStorePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
