import { envReader, type Env, type EnvVars } from '../../platform/config.js';

export const MOVIES_ENV = {
  MOVIES_MODEL_REFRESH: {
    default: '30s',
    doc: 'how often the suggestion model is rebuilt when ratings changed (one instance builds; all reload it)',
  },
} satisfies EnvVars;

export interface MoviesConfig {
  modelRefreshMs: number;
}

export function moviesConfig(env: Env): MoviesConfig {
  const vars = envReader(env, MOVIES_ENV);
  return { modelRefreshMs: vars.durationMs('MOVIES_MODEL_REFRESH', 1_000, 24 * 3_600_000) };
}
