import net from 'node:net';

/** A request as bytes go on the wire: nothing is checked or encoded on the way. */
export interface RawRequest {
  method: string;
  /** Path and query as sent, percent-escapes and all. */
  target: string;
  /** Header values are bytes (a string is taken as latin1, one byte per character). */
  headers: [string, string | Buffer][];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One request on a socket of its own. A client library would refuse to send a NUL in a header or
 * a byte that is not UTF-8, and those are what the sweep must send.
 */
export function send(port: number, request: RawRequest): Promise<RawResponse> {
  const head = [
    `${request.method} ${request.target} HTTP/1.1`,
    `host: 127.0.0.1:${port}`,
    'connection: close',
  ];
  const lines: Buffer[] = [Buffer.from(head.join('\r\n') + '\r\n', 'latin1')];
  for (const [name, value] of request.headers) {
    lines.push(
      Buffer.from(`${name}: `, 'latin1'),
      typeof value === 'string' ? Buffer.from(value, 'latin1') : value,
      Buffer.from('\r\n'),
    );
  }
  if (request.body) lines.push(Buffer.from(`content-length: ${request.body.length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (request.body) lines.push(request.body);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(20_000, () =>
      socket.destroy(new Error(`no answer to ${request.method} ${request.target.slice(0, 80)}`)),
    );
    // The server may answer (413, 431) and close before it has read the whole request.
    socket.on('error', (error) => (chunks.length ? undefined : reject(error)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      if (!chunks.length)
        return reject(
          new Error(`connection closed without an answer: ${request.method} ${request.target.slice(0, 80)}`),
        );
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
    // Written, not ended: a client that half-closes first may be hung up on before the answer.
    socket.write(Buffer.concat(lines));
  });
}

function parse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0)
    throw new Error(`no end of headers in ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  if (!status) throw new Error(`not a status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  return { status, headers, body };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
