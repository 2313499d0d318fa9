/**
 * Slow and numerous clients against the real gateway over loopback: raw sockets that trickle
 * their headers or their body are closed once HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS
 * pass (whatever they keep sending), an idle keep-alive connection once HTTP_KEEP_ALIVE_TIMEOUT_MS
 * passes, a slow *answer* is not cut by them, and connections beyond HTTP_MAX_CONNECTIONS are
 * refused while a normal request gets through once others close. Each wait is for an event,
 * with a deadline far beyond the setting and far below Node's defaults (60 s, 300 s, none).
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { eventually } from '../support/eventually';
import { startOpsStack, type OpsStack } from './ops-support';

const KEY = 'slow-client-key-0123456789';
// Far beyond the settings below, far below Node's defaults.
const DEADLINE = { timeoutMs: 15_000 };

/** A raw client socket, with what the server sent and whether the server closed its side. */
interface RawClient {
  readonly socket: Socket;
  /** Bytes the server sent, as text. */
  received(): string;
  /** True once the server ended or reset the connection. */
  closedByServer(): boolean;
  /** Writes `chunk` every `everyMs` until the server closes the connection. */
  trickle(chunk: string, everyMs: number): void;
}

// Opens a raw connection that keeps its side open however the server answers (allowHalfOpen), as an attacker would.
async function connectRaw(origin: string): Promise<RawClient> {
  const { hostname, port } = new URL(origin);
  const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
  let text = '';
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    closed = true;
    timers.forEach(clearInterval);
  };
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('end', stop);
  socket.on('close', stop);
  // A reset by the server is one way of closing; writes racing it fail the same way.
  socket.on('error', stop);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => text,
    closedByServer: () => closed,
    trickle(chunk, everyMs) {
      timers.push(
        setInterval(() => {
          if (!closed && socket.writable) socket.write(chunk);
        }, everyMs),
      );
    },
  };
}

// The server's count of open connections.
function openConnections(stack: OpsStack): Promise<number> {
  return new Promise((resolve, reject) => stack.gateway.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));
}

// A normal GraphQL request on a connection of its own (no pooled keep-alive socket); resolves with the status and body.
function normalRequest(stack: OpsStack): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ query: '{ urlTasks(first: 1) { nodes { id } } }' });
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.origin}/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('slow clients', () => {
  let stack: OpsStack;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    stack = await startOpsStack({
      env: { AUTH_MODE: 'api-key', API_KEYS: KEY, HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '500' },
    });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.destroy();
  });
  afterAll(() => stack.close());

  it('closes connections that trickle their headers and never finish them', async () => {
    for (let i = 0; i < 5; i++) {
      const client = await connectRaw(stack.origin);
      clients.push(client);
      client.socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${KEY}\r\n`);
      client.trickle('x-slow: a\r\n', 50);
    }
    await eventually(() => expect(clients.map((c) => c.closedByServer())).toEqual([true, true, true, true, true]), DEADLINE);
    for (const client of clients) expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // Closed on the server too, though the clients keep their side open.
    await eventually(async () => expect(await openConnections(stack)).toBe(0), DEADLINE);
  });

  it('closes authenticated connections that trickle a large body, and nothing fails inside the gateway', async () => {
    for (let i = 0; i < 5; i++) {
      const client = await connectRaw(stack.origin);
      clients.push(client);
      client.socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n{"query":"`);
      client.trickle('x'.repeat(64), 50);
    }
    await eventually(() => expect(clients.map((c) => c.closedByServer())).toEqual([true, true, true, true, true]), DEADLINE);
    for (const client of clients) expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    await eventually(async () => expect(await openConnections(stack)).toBe(0), DEADLINE);
    // A cut body is the client's failure, not an internal error.
    expect(stack.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect((await normalRequest(stack)).status).toBe(200);
  });

  it('closes a keep-alive connection left idle after its answer', async () => {
    // Node's own default (5 s) would close it too: the settings must be the server's.
    const { headersTimeout, requestTimeout, keepAliveTimeout, maxConnections } = stack.gateway.server;
    expect({ headersTimeout, requestTimeout, keepAliveTimeout, maxConnections }).toEqual({ headersTimeout: 500, requestTimeout: 1000, keepAliveTimeout: 500, maxConnections: 512 });
    const client = await connectRaw(stack.origin);
    clients.push(client);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await eventually(() => expect(client.received()).toMatch(/^HTTP\/1\.1 200 /), DEADLINE);
    await eventually(() => expect(client.closedByServer()).toBe(true), DEADLINE);
    await eventually(async () => expect(await openConnections(stack)).toBe(0), DEADLINE);
  });

  it('does not cut an answer that takes longer than HTTP_REQUEST_TIMEOUT_MS: it bounds receiving the request only', async () => {
    // Every url-tasks answer takes twice HTTP_REQUEST_TIMEOUT_MS; the GraphQL deadline (REQUEST_TIMEOUT_MS, 15 s) allows it.
    await stack.sim('PUT', '/__sim/faults', { latencyMs: 2000, operations: ['url-tasks'] });
    try {
      const answer = await normalRequest(stack);
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.body) as { data: { urlTasks: { nodes: unknown[] } } }).data.urlTasks.nodes).toHaveLength(1);
    } finally {
      await stack.sim('DELETE', '/__sim/faults');
    }
  });
});

describe('connection cap', () => {
  let stack: OpsStack;
  const held: RawClient[] = [];
  beforeAll(async () => {
    // Long timeouts, so only the cap closes anything here.
    stack = await startOpsStack({ env: { AUTH_MODE: 'api-key', API_KEYS: KEY, HTTP_MAX_CONNECTIONS: '3', HTTP_HEADERS_TIMEOUT_MS: '120000', HTTP_REQUEST_TIMEOUT_MS: '120000' } });
  });
  afterAll(async () => {
    for (const client of held) client.socket.destroy();
    await stack.close();
  });

  it('refuses connections beyond HTTP_MAX_CONNECTIONS, and serves again once one closes', async () => {
    for (let i = 0; i < 3; i++) {
      const client = await connectRaw(stack.origin);
      held.push(client);
      client.socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    }
    await eventually(async () => expect(await openConnections(stack)).toBe(3), DEADLINE);

    const extra = await connectRaw(stack.origin);
    held.push(extra);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await eventually(() => expect(extra.closedByServer()).toBe(true), DEADLINE);
    expect(extra.received()).toBe('');
    await expect(normalRequest(stack)).rejects.toThrow();
    const [warning] = await stack.waitForLogs((l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP_MAX_CONNECTIONS (3) reached'));
    expect(warning).toMatchObject({ level: 40, maxConnections: 3 });
    expect(held.slice(0, 3).map((c) => c.closedByServer())).toEqual([false, false, false]);

    held[0]!.socket.destroy();
    const answer = await eventually(async () => {
      const res = await normalRequest(stack);
      expect(res.status).toBe(200);
      return res;
    }, DEADLINE);
    expect((JSON.parse(answer.body) as { data: { urlTasks: { nodes: unknown[] } } }).data.urlTasks.nodes).toHaveLength(1);
  });
});
