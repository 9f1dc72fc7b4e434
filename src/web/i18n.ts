import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type Resource, type ResourceLanguage, type TFunction } from 'i18next';
import Negotiator from 'negotiator';

/**
 * The patron pages' words live in message catalogues, one folder per language under `locales/`
 * (`locales/en/patron.json`, `locales/es/patron.json`). A library adds its language by dropping a
 * folder with a translated `patron.json` beside them: the app finds it when it starts, offers it in
 * the language switch, and picks it from Accept-Language. Keys missing from a new catalogue fall
 * back to English, so a half-done translation never shows a key.
 */
export const LOCALES_DIR = fileURLToPath(new URL('../../locales', import.meta.url));
export const DEFAULT_LANGUAGE = 'en';
const NAMESPACE = 'patron';
/** A folder name a language may have: `fr`, `pt-BR`, `zh-Hant`. */
const LANGUAGE_FOLDER = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

export interface Catalogue {
  /** Every language found, English first. */
  languages: readonly string[];
  /** The words of one language (an unknown one gets English). */
  t(language: string): TFunction;
  /** A language's own name for itself, for the switch. */
  nameOf(language: string): string;
  /** The page's language: an explicit choice (link or cookie) if known, else Accept-Language, else English. */
  choose(choice: string | undefined, acceptLanguage: string | undefined): string;
  /** A known language matching this tag, or undefined. */
  known(tag: string | undefined): string | undefined;
}

export function loadCatalogue(dir: string = LOCALES_DIR): Catalogue {
  const resources: Resource = {};
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).filter(
        (entry) => entry.isDirectory() && LANGUAGE_FOLDER.test(entry.name),
      )
    : [];
  for (const folder of folders) {
    const file = join(dir, folder.name, `${NAMESPACE}.json`);
    if (!existsSync(file)) continue;
    try {
      resources[folder.name] = { [NAMESPACE]: JSON.parse(readFileSync(file, 'utf8')) as ResourceLanguage };
    } catch (error) {
      throw new Error(`locales/${folder.name}/${NAMESPACE}.json is not valid JSON`, { cause: error });
    }
  }
  if (!resources[DEFAULT_LANGUAGE])
    throw new Error(`locales/${DEFAULT_LANGUAGE}/${NAMESPACE}.json is missing`);
  const languages = [
    DEFAULT_LANGUAGE,
    ...Object.keys(resources)
      .filter((l) => l !== DEFAULT_LANGUAGE)
      .sort(),
  ];
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources,
    ns: [NAMESPACE],
    defaultNS: NAMESPACE,
    supportedLngs: languages,
    fallbackLng: DEFAULT_LANGUAGE,
    load: 'currentOnly',
    // The templates escape every value they print; escaping here too would show `&amp;`.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const fixed = new Map(languages.map((language) => [language, instance.getFixedT(language, NAMESPACE)]));
  const lowerCase = new Map(languages.map((language) => [language.toLowerCase(), language]));
  const known = (tag: string | undefined) => {
    if (!tag) return undefined;
    const lower = tag.toLowerCase();
    return lowerCase.get(lower) ?? lowerCase.get(lower.split('-')[0] ?? '');
  };
  return {
    languages,
    t: (language) => fixed.get(language) ?? (fixed.get(DEFAULT_LANGUAGE) as TFunction),
    nameOf: (language) => String(fixed.get(language)?.('language.name') ?? language),
    known,
    choose(choice, acceptLanguage) {
      const chosen = known(choice);
      if (chosen) return chosen;
      const negotiator = new Negotiator({ headers: { 'accept-language': acceptLanguage ?? '' } });
      // Negotiator matches `es-MX` to `es`; the app's own fallback is English.
      return known(negotiator.language([...languages])) ?? DEFAULT_LANGUAGE;
    },
  };
}
