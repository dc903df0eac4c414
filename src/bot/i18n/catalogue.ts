import type { Language } from '../../attributes/registry';
import { en } from './en';
import { fr } from './fr';
import { LOCALES } from './locale';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

/** The `{names}` a template uses, read from its literal type (`{name:plural:…}` counts as `name`). */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? PlaceholderName<Name> | Placeholders<Rest>
  : never;
type PlaceholderName<S extends string> = S extends `${infer Name}:plural:${string}` ? Name : S;

export type MessageParams<K extends MessageKey> = Record<Placeholders<(typeof en)[K]>, string | number>;

/** `t(key)` for a message without placeholders, `t(key, params)` otherwise: the compiler checks both. */
export type Translate = <K extends MessageKey>(
  key: K,
  ...params: Placeholders<(typeof en)[K]> extends never ? [] : [MessageParams<K>]
) => string;

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { EN: en, FR: fr };

/**
 * `{name}`, or `{name:plural:one=# day;other=# days}`: the form the language's plural rules
 * (`Intl.PluralRules`) pick for the number, `#` being that number in the language's notation;
 * a category without a form (French "many") takes `other`.
 */
const PLACEHOLDER = /\{([A-Za-z]+)(?::plural:([^{}]*))?\}/g;

/** The placeholder names of a template, sorted (for the parity test). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))].sort();
}

/** The plural forms of each `{name:plural:…}` of a template, by category (for the catalogue test). */
export function pluralFormsOf(template: string): Map<string, string>[] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((match) => (match[2] === undefined ? [] : [parseForms(match[2])]));
}

export function format(template: string, params: Readonly<Record<string, string | number>> = {}, locale = LOCALES.EN): string {
  return template.replace(PLACEHOLDER, (whole, name: string, forms: string | undefined) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (forms === undefined) return String(value);
    const count = Number(value);
    const parsed = parseForms(forms);
    const form = parsed.get(new Intl.PluralRules(locale).select(count)) ?? parsed.get('other') ?? '#';
    return form.replace('#', new Intl.NumberFormat(locale).format(count));
  });
}

function parseForms(forms: string): Map<string, string> {
  return new Map(
    forms.split(';').map((entry) => {
      const separator = entry.indexOf('=');
      return [entry.slice(0, separator).trim(), entry.slice(separator + 1)] as const;
    }),
  );
}

/** The translator of one language. */
export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  const locale = LOCALES[language];
  return ((key: MessageKey, params?: Record<string, string | number>) => format(catalogue[key], params, locale)) as Translate;
}
