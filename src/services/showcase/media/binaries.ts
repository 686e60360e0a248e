import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { MediaError } from './errors.js';

export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
}

const require = createRequire(import.meta.url);

/**
 * The configured executables, else the static builds the installer packages ship for this
 * platform. Resolved on first use: a machine that never processes a video never needs them.
 */
export function resolveBinaries(paths: {
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
}): Binaries {
  return {
    ffmpeg: paths.ffmpegPath ?? installed('@ffmpeg-installer/ffmpeg', 'FFMPEG_PATH'),
    ffprobe: paths.ffprobePath ?? installed('@ffprobe-installer/ffprobe', 'FFPROBE_PATH'),
  };
}

function installed(pkg: string, variable: string): string {
  let file: string;
  try {
    file = (require(pkg) as { path: string }).path;
  } catch (err) {
    // The installers throw a bare string on a platform they have no build for.
    throw new MediaError('ffmpeg', `${pkg} has no binary for this machine (${String(err)}); set ${variable}`);
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new MediaError(
      'ffmpeg',
      `${file} is not executable (its install script did not run?); set ${variable} or chmod +x it`,
    );
  }
  return file;
}
