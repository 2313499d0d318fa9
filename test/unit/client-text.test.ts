/** How much of client-chosen text the gateway echoes and logs (src/graph/client-text.ts). */
import { boundMessage, boundOperationName, MAX_ECHOED_MESSAGE, truncateClientText } from '../../src/graph/client-text';

describe('truncateClientText', () => {
  it('keeps text up to the bound whole, and cuts longer text to the bound plus its length', () => {
    expect(truncateClientText('x'.repeat(100))).toBe('x'.repeat(100));
    expect(truncateClientText('x'.repeat(101))).toBe(`${'x'.repeat(100)}…[truncated, 101 characters]`);
    expect(truncateClientText('abcdef', 3)).toBe('abc…[truncated, 6 characters]');
  });

  it('never cuts a surrogate pair in two', () => {
    const text = `${'x'.repeat(99)}😀${'y'.repeat(10)}`;
    expect(truncateClientText(text)).toBe(`${'x'.repeat(99)}…[truncated, 111 characters]`);
  });

  it('leaves a missing operation name missing', () => {
    expect(boundOperationName(undefined)).toBeNull();
    expect(boundOperationName(null)).toBeNull();
    expect(boundOperationName('Fine')).toBe('Fine');
  });
});

describe('boundMessage', () => {
  it('truncates each long quoted name and keeps the rest of the message', () => {
    const name = 'n'.repeat(5000);
    expect(boundMessage(`Cannot query field "${name}" on type "Query". Did you mean "${name}"?`)).toBe(
      `Cannot query field "${'n'.repeat(100)}…[truncated, 5000 characters]" on type "Query". Did you mean "${'n'.repeat(100)}…[truncated, 5000 characters]"?`,
    );
  });

  it('leaves quoted text with spaces to the bound on the whole message, which it never exceeds by more than the marker', () => {
    const message = `Variable "$f" got invalid value "${'a b '.repeat(10_000)}".`;
    const bounded = boundMessage(message);
    expect(bounded.startsWith('Variable "$f" got invalid value "a b ')).toBe(true);
    expect(bounded).toMatch(/…\[truncated, 40035 characters\]$/);
    expect(bounded.length).toBeLessThan(MAX_ECHOED_MESSAGE + 40);
  });

  it('leaves a message of ordinary length as it is', () => {
    const message = 'Unknown operation named "Fine".';
    expect(boundMessage(message)).toBe(message);
  });
});
