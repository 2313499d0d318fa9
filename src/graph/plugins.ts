/** Apollo Server plugins of the gateway. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphContext } from './context';

/** Adds the request id to every error's extensions, so a person can quote it when reporting. */
export function requestIdPlugin(): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}
