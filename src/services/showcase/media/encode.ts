import { spawn } from 'node:child_process';
import os from 'node:os';
import { MediaError } from './errors.js';
import { reason } from './probe.js';

export interface EncodeLimits {
  /** No new frame reported for this long: the encode is stuck and killed. */
  stallTimeoutMs: number;
  /** The whole encode may take at most this long. */
  timeLimitMs: number;
  signal?: AbortSignal | undefined;
  /** Seconds of output written so far, from ffmpeg's progress reports. */
  onProgress?: ((outSeconds: number) => void) | undefined;
  /** The ffmpeg process's id, once it runs: for logs, and for tests that stop it. */
  onSpawn?: ((pid: number) => void) | undefined;
}

const STDERR_KEEP = 4096;
/**
 * Encodes run at the lowest CPU priority: on cores they share with the web layer, a request
 * must not wait behind x264, and alone on idle cores an encode loses nothing by it.
 */
const ENCODE_NICENESS = 19;

/**
 * Runs ffmpeg (whose args include `-progress pipe:1`) and resolves when it exits cleanly.
 * SIGKILL, not SIGTERM, ends it: a stopped or wedged process ignores a polite signal, and
 * the caller discards the partial output anyway.
 */
export function runFfmpeg(ffmpeg: string, args: string[], limits: EncodeLimits): Promise<void> {
  return new Promise((resolve, reject) => {
    if (limits.signal?.aborted) {
      reject(new MediaError('aborted', 'the encode was cancelled before it started'));
      return;
    }
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Before ffmpeg starts its encoder threads, which inherit it. A platform that refuses is
    // only slower to answer while encoding.
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, ENCODE_NICENESS);
      } catch {
        // Not allowed here: the encode still runs.
      }
    }
    let stderr = '';
    let frames = -1;
    let lastAdvance = Date.now();
    let failure: MediaError | undefined;

    const kill = (error: MediaError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill(new MediaError('aborted', 'the encode was cancelled (worker shutting down?)'));
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    const stallCheck = setInterval(
      () => {
        if (Date.now() - lastAdvance > limits.stallTimeoutMs) {
          kill(
            new MediaError(
              'stalled',
              `ffmpeg made no progress for ${Math.round(limits.stallTimeoutMs / 1000)} s and was killed`,
            ),
          );
        }
      },
      Math.max(50, Math.min(1000, limits.stallTimeoutMs / 4)),
    );
    const deadline = setTimeout(
      () =>
        kill(
          new MediaError(
            'time-limit',
            `ffmpeg ran past its time limit of ${Math.round(limits.timeLimitMs / 1000)} s and was killed`,
          ),
        ),
      limits.timeLimitMs,
    );

    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [key, value] = line.trim().split('=', 2);
        if (key === 'frame' && Number(value) > frames) {
          frames = Number(value);
          lastAdvance = Date.now();
        } else if (key === 'out_time_ms' && limits.onProgress) {
          // ffmpeg names it _ms but counts microseconds.
          const us = Number(value);
          if (us >= 0) limits.onProgress(us / 1e6);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
    });

    const finish = (error: MediaError | undefined) => {
      clearInterval(stallCheck);
      clearTimeout(deadline);
      limits.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(
        new MediaError(
          'ffmpeg',
          err.code === 'ENOENT' ? `ffmpeg not found at ${ffmpeg}` : `ffmpeg could not start: ${err.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (failure) finish(failure);
      else if (code === 0) finish(undefined);
      else
        finish(
          new MediaError(
            'ffmpeg',
            `ffmpeg failed (${signal ?? `exit ${code}`}): ${reason(stderr) || 'no message'}`,
          ),
        );
    });
    // Last, so whatever it does (even aborting) meets a process already watched.
    if (child.pid !== undefined) limits.onSpawn?.(child.pid);
  });
}
