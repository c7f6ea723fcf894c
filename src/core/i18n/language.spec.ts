import { translateDetail } from './error-messages';
import { parseAcceptLanguage, resolveLanguage } from './language';

describe('language resolution', () => {
  it('orders Accept-Language by q-value, then position; drops q=0 and *', () => {
    expect(parseAcceptLanguage('fr;q=0.9, en;q=0.8')).toEqual(['fr', 'en']);
    expect(parseAcceptLanguage('en;q=0.5, fr-CA, de;q=0.7')).toEqual(['fr-CA', 'de', 'en']);
    expect(parseAcceptLanguage('fr;q=0, *')).toEqual([]);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
  });

  it('?lang, then the user, then Accept-Language, then the organization, then English', () => {
    expect(resolveLanguage({ acceptLanguage: 'fr;q=0.9, en;q=0.8' })).toBe('fr');
    expect(resolveLanguage({ acceptLanguage: 'de, ja' })).toBe('en'); // unknown languages fall back
    expect(resolveLanguage({ acceptLanguage: 'de, fr-BE;q=0.5' })).toBe('fr');
    expect(resolveLanguage({ query: 'en', userLanguage: 'fr', acceptLanguage: 'fr' })).toBe('en');
    expect(resolveLanguage({ userLanguage: 'fr', acceptLanguage: 'en' })).toBe('fr');
    expect(resolveLanguage({ query: 'xx', userLanguage: 'de', organizationLanguage: 'fr' })).toBe(
      'fr',
    );
    expect(resolveLanguage({})).toBe('en');
  });

  it('translates error details by code, keeping English for English and unknown codes', () => {
    expect(translateDetail('not_found', 'Product not found', 'en')).toBe('Product not found');
    expect(translateDetail('not_found', 'Product not found', 'fr')).toBe(
      'La ressource demandée est introuvable.',
    );
    expect(translateDetail('some_new_code', 'Detail', 'fr')).toBe('Detail');
    expect(translateDetail('bad_request', 'Validation failed (uuid is expected)', 'fr')).toBe(
      'Identifiant invalide : un UUID est attendu.',
    );
    expect(translateDetail('validation_error', 'name must be a string', 'fr')).toBe(
      'name doit être une chaîne de caractères',
    );
  });
});
