import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type Catalog, type MessageKey } from './en.js';
import { ru } from './ru.js';

export const CATALOGS = { en, ru } as const satisfies Record<string, Catalog>;
export type Locale = keyof typeof CATALOGS;
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  readonly locale: Locale;
  readonly t: Translate;
  setLocale(locale: Locale): void;
}

const STORAGE_KEY = 'switchboard-locale';
const I18nContext = createContext<I18n | null>(null);

export function isLocale(value: string | null | undefined): value is Locale {
  return value != null && Object.hasOwn(CATALOGS, value);
}

/** The saved choice, else the browser's first language we have, else English. */
function initialLocale(preferred?: string): Locale {
  if (isLocale(preferred)) return preferred;
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (isLocale(saved)) return saved;
  const browser = globalThis.navigator?.language?.slice(0, 2);
  return isLocale(browser) ? browser : 'en';
}

export function format(catalog: Catalog, key: MessageKey, values?: Record<string, string | number>): string {
  const template = catalog[key];
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function I18nProvider({ children, locale: preferred }: { children: ReactNode; locale?: string }) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale(preferred));
  const setLocale = useCallback((next: Locale) => {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[locale];
    return { locale, setLocale, t: (key, values) => format(catalog, key, values) };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

export function useT(): Translate {
  return useI18n().t;
}
