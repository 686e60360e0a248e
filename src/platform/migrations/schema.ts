import * as init from './2026-11-24T2000-init.js';

/** The platform's own tables (shared secrets, attempt counters), migrated like a service's. */
export const platformSchema = {
  name: 'platform',
  migrations: { '2026-11-24T2000-init': init },
};
