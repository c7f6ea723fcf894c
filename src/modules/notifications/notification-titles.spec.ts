import { localizedTitle, notificationTitle } from './notification-titles';

describe('notification titles', () => {
  it('stores English and mails the recipient’s language from the row’s label', () => {
    const label = 'SKU-1 · Widget';
    expect(notificationTitle('comment.mention', label)).toBe(
      'You were mentioned on SKU-1 · Widget',
    );
    expect(localizedTitle('comment.mention', 'fr', { label }, 'stored')).toBe(
      'Vous avez été mentionné(e) sur SKU-1 · Widget',
    );
    expect(localizedTitle('activity.overdue', 'en', { label }, 'stored')).toBe(
      'Overdue activity on SKU-1 · Widget',
    );
  });

  it('keeps the stored title for types without translations, rows without a label, and falls back to English', () => {
    expect(localizedTitle('broadcast', 'fr', { label: 'x' }, 'Inventaire vendredi')).toBe(
      'Inventaire vendredi',
    );
    expect(localizedTitle('comment.new', 'fr', {}, 'New comment on X')).toBe('New comment on X');
    expect(localizedTitle('comment.new', 'de', { label: 'X' }, 'stored')).toBe('New comment on X');
  });
});
