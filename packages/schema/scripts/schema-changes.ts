// The schema diff behind check-breaking-changes.ts, from @graphql-inspector/core: breaking changes
// (a removed field, a narrowed argument) fail unless acknowledged; dangerous ones (an added enum
// value or union member, a changed default) are reported, since a client with an exhaustive switch
// can still trip on them, and may be acknowledged too.
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

export interface Acknowledgement {
  /** The change's message as the check prints it. */
  change: string;
  /** What partners were told. */
  reason: string;
}

export interface SchemaChange {
  level: 'BREAKING' | 'DANGEROUS';
  type: string;
  message: string;
  acknowledged: boolean;
}

export async function schemaChanges(
  previousSdl: string,
  currentSdl: string,
  acknowledged: readonly Acknowledgement[],
): Promise<SchemaChange[]> {
  const changes = await diff(buildSchema(previousSdl), buildSchema(currentSdl));
  return changes
    .filter((c) => c.criticality.level !== CriticalityLevel.NonBreaking)
    .map((c) => ({
      level: c.criticality.level === CriticalityLevel.Breaking ? 'BREAKING' : 'DANGEROUS',
      type: String(c.type),
      message: c.message,
      acknowledged: acknowledged.some((a) => a.change === c.message),
    }));
}
