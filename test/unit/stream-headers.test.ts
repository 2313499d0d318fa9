/** The header arithmetic of live transports: the explorer's connect-src, and which Accept values ask for an event stream. */
import { wantsEventStream } from '../../src/http/event-stream';
import { URQL_ACCEPT } from '../support/client-snippets';
import { explorerCsp } from '../../src/http/explorer';

describe('explorerCsp', () => {
  const connectSrc = (host: string | undefined) => /connect-src ([^;]*)/.exec(explorerCsp(host))?.[1];

  it("names the page's WebSocket origin for both schemes, beside 'self'", () => {
    expect(connectSrc('gateway.example.com')).toBe("'self' ws://gateway.example.com wss://gateway.example.com");
    expect(connectSrc('127.0.0.1:4000')).toBe("'self' ws://127.0.0.1:4000 wss://127.0.0.1:4000");
    expect(connectSrc('[::1]:4000')).toBe("'self' ws://[::1]:4000 wss://[::1]:4000");
  });

  it('leaves out a Host that could change the policy, keeping the rest whole', () => {
    for (const host of [undefined, '', 'a.example; script-src *', 'a.example *', "evil 'unsafe-inline'", 'a.example:4000/x', '-a.example']) {
      expect(connectSrc(host)).toBe("'self'");
      expect(explorerCsp(host)).toContain("script-src 'self';");
      expect(explorerCsp(host).split(';')).toHaveLength(9);
    }
  });
});

describe('wantsEventStream', () => {
  it('asks for an event stream when Accept lists it and no type the HTTP route answers with, case and parameters aside', () => {
    expect(wantsEventStream('text/event-stream')).toBe(true);
    expect(wantsEventStream('Text/Event-Stream; charset=utf-8')).toBe(true);
    expect(wantsEventStream(['text/event-stream', 'text/plain'])).toBe(true);
    expect(wantsEventStream('text/event-stream, */*;q=0.1')).toBe(true);
    expect(wantsEventStream('application/json')).toBe(false);
    expect(wantsEventStream('text/event-streams')).toBe(false);
    expect(wantsEventStream(undefined)).toBe(false);
  });

  it("leaves urql's every-request Accept (JSON first, event stream among others) to the HTTP route", () => {
    expect(wantsEventStream(URQL_ACCEPT)).toBe(false);
    expect(wantsEventStream('application/json, text/event-stream')).toBe(false);
    expect(wantsEventStream('multipart/mixed;subscriptionSpec="1.0", text/event-stream')).toBe(false);
  });
});
