// Names and subject tokens allow fewer characters than the port's names; two port names that
// differ only in such characters would share a stream, which the port's names never do.
export const safe = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Names of one deployment's streams and subjects. The prefix keeps deployments that share a NATS
 * server apart (JetStream refuses two streams with overlapping subjects, and a fresh database
 * must not inherit another deployment's events).
 */
export function namesFor(prefix: string) {
  const upper = prefix.toUpperCase();
  return {
    streamName: (stream: string) => `${upper}_${safe(stream)}`,
    subjectOf: (stream: string, partition: number) => `${prefix}.${safe(stream)}.${partition}`,
    subjects: (stream: string) => `${prefix}.${safe(stream)}.*`,
    // Not `<PREFIX>_<stream>_dead`: that could be the stream of a port stream named `<stream>_dead`.
    deadStreamName: (stream: string) => `${upper}-DEAD_${safe(stream)}`,
    deadSubject: (stream: string, group: string) => `${prefix}-dead.${safe(stream)}.${safe(group)}`,
    deadSubjects: (stream: string) => `${prefix}-dead.${safe(stream)}.*`,
  };
}

export type Names = ReturnType<typeof namesFor>;

export const consumerName = (group: string, partition: number) => `${safe(group)}_p${partition}`;
