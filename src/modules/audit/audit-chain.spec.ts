import { maskSecrets } from './audit-chain';

describe('maskSecrets (audit changes)', () => {
  it('masks secret-looking fields at any depth, inside objects and arrays', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    expect(
      maskSecrets({
        name: 'Hook',
        password: 'p',
        actions: [
          {
            type: 'call_webhook',
            params: { url: 'https://x.test', secret: 's', headers: { Authorization: 'Bearer t' } },
          },
          [{ apiKey: 'k' }],
          'plain',
        ],
        nested: { token: { value: 'x' }, when: at },
      }),
    ).toEqual({
      name: 'Hook',
      password: '[masked]',
      actions: [
        {
          type: 'call_webhook',
          params: {
            url: 'https://x.test',
            secret: '[masked]',
            headers: { Authorization: '[masked]' },
          },
        },
        [{ apiKey: '[masked]' }],
        'plain',
      ],
      nested: { token: '[masked]', when: at },
    });
  });
});
