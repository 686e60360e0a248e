/**
 * Why a video could not be processed. `invalid-input` will fail the same way on every retry;
 * the others may pass on another attempt (a loaded machine, a worker shutting down).
 */
export type MediaFailure = 'invalid-input' | 'stalled' | 'time-limit' | 'aborted' | 'ffmpeg' | 'output';

export class MediaError extends Error {
  constructor(
    readonly kind: MediaFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }

  get retryable(): boolean {
    return this.kind !== 'invalid-input';
  }
}
