// Limits on the document's text and shape, checked before anything runs: tokens while parsing, then
// depth, aliases and directives while validating (graphql-armor; validation results are cached per
// document, so these cost nothing on repeat). The field count and the cost, which need the operation
// and its variables, are measured just before execution in operation-cost.ts.
//
// graphql-armor's defaults are loose on purpose; here they are tightened: `__typename` counts as an
// alias like any other field (armor allow-lists it, so `a1: __typename ... a1000: __typename` passed),
// and fragments count by what they contain, not as extra nesting levels.
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayConfig } from '../config.js';
import { limitError, type LimitName } from './limit-error.js';

/**
 * Armor reports a breach by throwing out of the validation visitor, which aborts the other rules and
 * prefixes "Syntax Error:". Reporting it on the validation context instead makes it an ordinary
 * validation error (400, listed with any others).
 */
function reportAs(limit: LimitName, maximum: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const refusal = limitError(limit, maximum, error.message.replace(/^Syntax Error: /, ''));
        // The token limit fires while parsing, where there is no validation context: throwing is
        // how a parse failure is reported there.
        if (!context) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

export type DocumentLimitOptions = Pick<
  GatewayConfig['limits'],
  'maxTokens' | 'maxDepth' | 'maxAliases' | 'maxDirectives'
>;

/** Refuses documents over the limits (no defaults: the gateway's come from its config). */
export function useDocumentLimits(limits: DocumentLimitOptions): Plugin {
  const plugins = [
    maxTokensPlugin({ n: limits.maxTokens, ...reportAs('tokens', limits.maxTokens) }),
    maxDepthPlugin({
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reportAs('depth', limits.maxDepth),
    }),
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], ...reportAs('aliases', limits.maxAliases) }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...reportAs('directives', limits.maxDirectives) }),
  ];
  return {
    onPluginInit({ addPlugin }) {
      // Armor's plugins are typed for envelop's empty context, Yoga's hooks for its request context;
      // they read no context at all, so this is a type-level widening only.
      for (const plugin of plugins) addPlugin(plugin as Plugin);
    },
  };
}
