/**
 * A validation rule graphql-js 16 lacks: an operation whose root type the schema does not
 * have (a `subscription` here) is refused at validation. Without it, execution fails with an
 * error that has no code, which the gateway must mask as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

/** Reports operations of a type (query, mutation, subscription) the schema does not define. */
export function knownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (schema.getRootType(node.operation)) return;
      const served = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION].filter((kind) => schema.getRootType(kind));
      context.reportError(new GraphQLError(`This schema has no ${node.operation} operations; it serves ${served.join(' and ')} operations.`, { nodes: node }));
    },
  };
}

/**
 * Refuses subscriptions over HTTP (Apollo's validation rules only): they are served over
 * WebSocket (src/http/subscriptions.ts); executed as a query they would have no event to resolve.
 */
export function noHttpSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== OperationTypeNode.SUBSCRIPTION) return;
      context.reportError(
        new GraphQLError('Subscriptions are served over WebSocket (the graphql-ws protocol, graphql-transport-ws) at this same /graphql URL, not over HTTP.', { nodes: node }),
      );
    },
  };
}
