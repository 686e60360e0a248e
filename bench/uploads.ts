/**
 * What a large upload costs the server: the platform's multipart receiver streaming files to the
 * local storage port, one at a time and several at once. Prints MB/s and how far the process's
 * resident memory rose above its level before the first upload (a file held in memory would
 * show as its own size).
 *
 *   npm run bench:uploads                # 100 MB files
 *   SIZE_MB=20 npm run bench:uploads
 *
 * Files go to a temporary directory, removed at the end. The client streams each file from disk
 * in the same process, so its buffers count in the memory figure too.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { request } from 'undici';
import { installProblemHandlers } from '../src/platform/http/problem-handler.js';
import { acceptUploads, receiveUpload } from '../src/platform/http/uploads.js';
import { localStorage } from '../src/platform/storage/storage.js';

const SIZE_MB = Number(process.env.SIZE_MB ?? 100);
const SEQUENTIAL = 5;
const CONCURRENT = 4;
const MP4_HEAD = Buffer.from('00000018667479706d703432', 'hex');

async function makeClip(file: string): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  try {
    for (let i = 0; i < SIZE_MB; i++)
      await handle.write(i === 0 ? Buffer.concat([MP4_HEAD, chunk.subarray(12)]) : chunk);
  } finally {
    await handle.close();
  }
}

async function* multipart(boundary: string, file: string) {
  yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="title"\r\n\r\nbench\r\n`);
  yield Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="video_file"; filename="clip.mp4"\r\n` +
      'content-type: video/mp4\r\n\r\n',
  );
  for await (const chunk of createReadStream(file)) yield chunk as Buffer;
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

async function upload(url: string, file: string, n: number): Promise<number> {
  const boundary = `bench${n}x${Date.now()}`;
  const res = await request(`${url}/up/${n}`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: Readable.from(multipart(boundary, file)),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`upload ${n}: ${res.statusCode} ${text}`);
  return (JSON.parse(text) as { bytes: number }).bytes;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'crucible-bench-uploads-'));
  const storage = localStorage(path.join(dir, 'files'));
  const clip = path.join(dir, 'clip.mp4');
  await makeClip(clip);
  const app = Fastify();
  installProblemHandlers(app);
  await app.register(async (scope) => {
    await acceptUploads(scope);
    scope.post<{ Params: { n: string } }>('/up/:n', async (req, reply) => {
      const { file } = await receiveUpload(req, storage, {
        file: 'video_file',
        fields: ['title'],
        maxBytes: SIZE_MB * 1024 * 1024,
        key: `videos/${req.params.n}/original.mp4`,
        check: (head) => (head.subarray(4, 8).toString() === 'ftyp' ? undefined : 'not an MP4 file'),
      });
      return reply.code(201).send({ bytes: file.bytes });
    });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(
    `${SIZE_MB} MB files through receiveUpload to local storage (memory before: ${mb(baseline)} MB)`,
  );
  try {
    let n = 0;
    for (const [label, parallel] of [
      ['one at a time', 1],
      [`${CONCURRENT} at once`, CONCURRENT],
    ] as const) {
      peak = process.memoryUsage().rss;
      const start = performance.now();
      let bytes = 0;
      const rounds = parallel === 1 ? SEQUENTIAL : 1;
      for (let r = 0; r < rounds; r++) {
        const sizes = await Promise.all(Array.from({ length: parallel }, () => upload(url, clip, n++)));
        bytes += sizes.reduce((a, b) => a + b, 0);
      }
      const s = (performance.now() - start) / 1000;
      console.log(
        `${label.padEnd(14)} ${String(rounds * parallel).padStart(2)} files  ${(bytes / 1024 / 1024 / s).toFixed(0).padStart(5)} MB/s` +
          `  memory peak ${mb(peak).padStart(4)} MB (+${mb(peak - baseline)} MB)`,
      );
    }
  } finally {
    clearInterval(sampler);
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
