import { LOCALE_NAMES, isLocale, useI18n } from './i18n-provider.js';

/** The language menu, each language named in itself. */
export function LocalePicker() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label className="locale-picker">
      {t('nav.language')}{' '}
      <select value={locale} onChange={(e) => isLocale(e.target.value) && setLocale(e.target.value)}>
        {Object.entries(LOCALE_NAMES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>{name}</option>
        ))}
      </select>
    </label>
  );
}
