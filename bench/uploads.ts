/**
 * What a large upload costs the server: the platform's multipart receiver streaming files to the
 * local storage port over HTTP (127.0.0.1), one at a time and several at once. The yardstick, in
 * the same run: the same files put straight into the same storage from disk, no HTTP and no
 * multipart (the disk's rate, its flush included). Prints MB/s, the ratio to the yardstick, and
 * how far the process's resident memory rose above its level before the first upload (a file
 * held in memory would show as its own size).
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
import { localStorage, type Storage } from '../src/platform/storage/storage.js';
import { checkCpu } from '../src/scenarios/cpu-check.js';
import { describeMachine, environmentLines } from '../src/scenarios/environment.js';

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
  for (const line of environmentLines(describeMachine(await checkCpu()))) console.log(line);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const baseline = process.memoryUsage().rss;
  console.log(
    `${SIZE_MB} MB files through receiveUpload to local storage (memory before: ${mb(baseline)} MB)`,
  );
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let n = 0;
  /** `rounds` × `parallel` files sent by `send`: MB/s and the memory peak above the baseline. */
  const run = async (label: string, parallel: number, send: () => Promise<number>) => {
    peak = process.memoryUsage().rss;
    const start = performance.now();
    let bytes = 0;
    const rounds = parallel === 1 ? SEQUENTIAL : 1;
    for (let r = 0; r < rounds; r++) {
      const sizes = await Promise.all(Array.from({ length: parallel }, send));
      bytes += sizes.reduce((a, b) => a + b, 0);
    }
    const mbPerS = bytes / 1024 / 1024 / ((performance.now() - start) / 1000);
    const figure = { label, files: rounds * parallel, mbPerS, peakAboveMb: (peak - baseline) / 1024 / 1024 };
    console.log(
      `${label.padEnd(30)} ${String(figure.files).padStart(2)} files  ${mbPerS.toFixed(0).padStart(5)} MB/s` +
        `  memory peak ${mb(peak).padStart(4)} MB (+${mb(peak - baseline)} MB)`,
    );
    return figure;
  };
  const put = (to: Storage) => async () =>
    (await to.put(`bare/${n++}/original.mp4`, createReadStream(clip), { maxBytes: SIZE_MB * 1024 * 1024 }))
      .bytes;
  try {
    const rows = [];
    for (const parallel of [1, CONCURRENT]) {
      const how = parallel === 1 ? 'one at a time' : `${CONCURRENT} at once`;
      const uploads = await run(`upload, ${how}`, parallel, () => upload(url, clip, n++));
      const bare = await run(`bare put, ${how}`, parallel, put(storage));
      rows.push({ how, uploads, bare });
    }
    console.log(`\n${new Date().toISOString().slice(0, 10)}, ${SIZE_MB} MB files\n`);
    console.log('| files | upload MB/s | bare put MB/s | ÷ bare put | memory peak above start |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const { how, uploads, bare } of rows) {
      console.log(
        `| ${how} | ${uploads.mbPerS.toFixed(0)} | ${bare.mbPerS.toFixed(0)} | ${(uploads.mbPerS / bare.mbPerS).toFixed(2)} | ${uploads.peakAboveMb.toFixed(0)} MB |`,
      );
    }
  } finally {
    clearInterval(sampler);
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
