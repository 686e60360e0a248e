/** What the open and closed drivers share with the engine that runs them. */
import type { RequestFactory } from '../model.js';
import type { HttpClient } from './http.js';
import type { Recorder } from './recorder.js';

export interface LoadContext {
  client: HttpClient;
  recorder: Recorder;
  request: RequestFactory;
  /** Aborted when the load must end before its schedule does (caller's signal, or an error). */
  stop: AbortSignal;
  /** A bug in the scenario (the request factory or isGood threw): ends the run with that error. */
  fail(err: unknown): void;
}
