/** The header arithmetic of live transports: the explorer's connect-src, and which Accept values ask for an event stream. */
import { acceptsEventStream } from '../../src/http/event-stream';
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

describe('acceptsEventStream', () => {
  it('reads Accept as a list of media types, case and parameters aside', () => {
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('application/json, Text/Event-Stream;q=0.9')).toBe(true);
    expect(acceptsEventStream(['application/json', 'text/event-stream'])).toBe(true);
    expect(acceptsEventStream('application/json')).toBe(false);
    expect(acceptsEventStream('multipart/mixed;subscriptionSpec="1.0", application/json')).toBe(false);
    expect(acceptsEventStream('text/event-streams')).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });
});
