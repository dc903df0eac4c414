import type { Language } from '../../attributes/registry';
import { en } from './en';
import { fr } from './fr';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

/** The `{names}` a template uses, read from its literal type. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

export type MessageParams<K extends MessageKey> = Record<Placeholders<(typeof en)[K]>, string | number>;

/** `t(key)` for a message without placeholders, `t(key, params)` otherwise: the compiler checks both. */
export type Translate = <K extends MessageKey>(
  key: K,
  ...params: Placeholders<(typeof en)[K]> extends never ? [] : [MessageParams<K>]
) => string;

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { EN: en, FR: fr };

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** The placeholder names of a template, sorted (for the parity test). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))].sort();
}

export function format(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The translator of one language. */
export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return ((key: MessageKey, params?: Record<string, string | number>) => format(catalogue[key], params)) as Translate;
}
