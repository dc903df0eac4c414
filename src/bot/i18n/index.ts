export {
  CATALOGUES,
  format,
  placeholdersOf,
  pluralFormsOf,
  translator,
  type Catalogue,
  type MessageKey,
  type Translate,
} from './catalogue';
export { chooseLanguage, languageOfLocale } from './language';
export { formatAge } from './age';
