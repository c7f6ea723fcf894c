import { redactQueryTokens } from './logging.module';

describe('redactQueryTokens', () => {
  it('hides token and jwt query values, keeps the rest of the URL', () => {
    expect(redactQueryTokens('/api/v1/me/calendar.ics?token=org.secret')).toBe(
      '/api/v1/me/calendar.ics?token=[redacted]',
    );
    expect(redactQueryTokens('/x?a=1&TOKEN=s3cret&b=2#f')).toBe('/x?a=1&TOKEN=[redacted]&b=2#f');
    expect(redactQueryTokens('/room?jwt=eyJ')).toBe('/room?jwt=[redacted]');
    expect(redactQueryTokens('/api/v1/tokens?mytoken=1')).toBe('/api/v1/tokens?mytoken=1');
    expect(redactQueryTokens('/api/v1/shared/AbC-_9?x=1')).toBe('/api/v1/shared/[redacted]?x=1');
  });
});
