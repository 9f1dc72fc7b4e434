import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringifySetCookie } from 'cookie';
import { lastSegment, pathOf, type Routes } from '../http/guarded-server.js';
import { localDate } from '../lib/clock.js';
import { isTokenShape } from '../lib/tokens.js';
import { INTERVIEW_QUESTIONS } from '../modules/rounds/rounds.content.js';
import type { PatronAnswerDraft } from '../modules/rounds/rounds.links.js';
import type { WalkUpDraft } from '../modules/service-points/walk-up.usecases.js';
import { type Catalogue, loadCatalogue } from './i18n.js';
import { createRateLimit } from './rate-limit.js';
import {
  clientAddress,
  cookiesOf,
  createFormTokens,
  originAllowed,
  readForm,
  securityHeaders,
} from './security.js';
import { messagePage, namedPatronPage, type PageContext, walkUpPage } from './views.js';
import type { WebDeps } from './web.deps.js';

export const NAMED_PATRON_PREFIX = '/r';
export const WALK_UP_PREFIX = '/s';
export const ASSETS_PREFIX = '/assets';
export const LANGUAGE_COOKIE = 'radar_lang';
export const ANSWERED_COOKIE = 'radar_answered';

/** Keeps work going after a response (announcing a round's answer) until it is done, through shutdown. */
export type Track = <T>(work: Promise<T>) => Promise<T>;

/** What the log may say of a patron request: which kind of page, the method and the status. Never the path. */
type RouteKind = 'named_patron' | 'walk_up' | 'asset';

const ASSETS_DIR = fileURLToPath(new URL('./assets', import.meta.url));
const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(ASSETS_DIR)) {
    const type = ASSET_TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(ASSETS_DIR, name)), type });
  }
  return assets;
}

/**
 * The patron pages' routes on the app's one HTTP server: a named patron's page (`/r/<token>`), a
 * service point's walk-up page (`/s/<token>`) and the pages' own assets. Without PUBLIC_URL and
 * LINK_SECRET there are none, and those paths answer 404 like any other unknown path.
 */
export function createWebRoutes({
  deps,
  track,
  catalogue = loadCatalogue(),
}: {
  deps: WebDeps;
  track: Track;
  catalogue?: Catalogue;
}): Routes {
  const { settings, logger, clock, walkUps, patronLinks } = deps;
  if (!settings.publicUrl || !settings.linkSecret) return {};
  const secure = settings.publicUrl.startsWith('https:');
  const publicOrigin = new URL(settings.publicUrl).origin;
  const forms = createFormTokens({ secret: settings.linkSecret, secure });
  const rateLimit = createRateLimit({ perHour: settings.walkUpAnswersPerHour });
  const assets = loadAssets();

  const logged = (kind: RouteKind, req: IncomingMessage, status: number) => {
    logger.info({ route: kind, method: req.method, status }, 'patron page answered');
  };

  /** The page's language and what every page shows; a `?lang=` choice is kept in a cookie. */
  const contextOf = (req: IncomingMessage, path: string, posted?: string) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang') ?? undefined;
    const chosen = catalogue.known(query);
    const lang = catalogue.choose(
      posted ?? chosen ?? cookiesOf(req)[LANGUAGE_COOKIE],
      req.headers['accept-language'],
    );
    const cookies: string[] = [];
    if (chosen)
      cookies.push(
        stringifySetCookie(LANGUAGE_COOKIE, chosen, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/',
          maxAge: 365 * 24 * 3600,
        }),
      );
    const page: PageContext = {
      lang,
      t: catalogue.t(lang),
      libraryName: settings.libraryName,
      languages: catalogue.languages.map((code) => ({
        code,
        name: catalogue.nameOf(code),
        href: `${path}?lang=${encodeURIComponent(code)}`,
        current: code === lang,
      })),
    };
    return { page, cookies };
  };

  const send = (
    kind: RouteKind,
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    html: string,
    cookies: string[] = [],
  ) => {
    const body = Buffer.from(html, 'utf8');
    const headers: Record<string, string | string[]> = {
      ...securityHeaders(),
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
      vary: 'Accept-Language, Cookie',
    };
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    // A refused form's unread body is not worth reading: close rather than keep the connection.
    if (status === 413 || status === 415 || status === 400) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    logged(kind, req, status);
  };

  const refusal = (
    kind: RouteKind,
    req: IncomingMessage,
    res: ServerResponse,
    page: PageContext,
    status: number,
    key: string,
    cookies: string[] = [],
  ) =>
    send(
      kind,
      req,
      res,
      status,
      messagePage(page, page.t(`refusal.${key}Title`), [page.t(`refusal.${key}`)]),
      cookies,
    );

  /** A link that opens no form: 404 for one nobody made, 410 for one that has been used or has ended. */
  const linkRefused = (
    kind: RouteKind,
    req: IncomingMessage,
    res: ServerResponse,
    page: PageContext,
    key: string,
    cookies: string[] = [],
  ) => refusal(kind, req, res, page, key === 'unknown' ? 404 : 410, key, cookies);

  /**
   * The token in the path and what it opens, or undefined once the refusal page is sent. A string
   * that cannot be a token is not worth a query.
   */
  const openByToken = async <R extends { ok: true } | { ok: false; code: string }>(
    kind: RouteKind,
    req: IncomingMessage,
    res: ServerResponse,
    page: PageContext,
    open: (token: string) => Promise<R>,
    cookies: string[] = [],
  ): Promise<{ token: string; opened: Extract<R, { ok: true }> } | undefined> => {
    const token = lastSegment(req.url);
    if (!token || !isTokenShape(token)) {
      linkRefused(kind, req, res, page, 'unknown', cookies);
      return undefined;
    }
    const opened = await open(token);
    if ('code' in opened) {
      linkRefused(kind, req, res, page, opened.code, cookies);
      return undefined;
    }
    return { token, opened: opened as Extract<R, { ok: true }> };
  };

  /** Everything a POST must pass before its fields are read as answers: Origin, type, size, form token. */
  const postedForm = async (kind: RouteKind, req: IncomingMessage, res: ServerResponse, path: string) => {
    const { page } = contextOf(req, path);
    if (!originAllowed(req, publicOrigin)) {
      refusal(kind, req, res, page, 403, 'forbidden');
      return undefined;
    }
    const form = await readForm(req);
    if (!form.ok) {
      refusal(kind, req, res, page, form.status, form.status === 413 ? 'tooLarge' : 'unsupported');
      return undefined;
    }
    if (!forms.check(req, path, form.fields.get('csrf') ?? undefined)) {
      refusal(kind, req, res, page, 403, 'forbidden');
      return undefined;
    }
    return form.fields;
  };

  /** A failure after the checks: logged by its codes only, answered with a page in the patron's language. */
  const guarded =
    (kind: RouteKind, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      try {
        await handler(req, res);
      } catch (error) {
        logger.error({ err: error, route: kind }, 'a patron page failed');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const { page } = contextOf(req, pathOf(req.url) ?? '/');
        refusal(kind, req, res, page, 500, 'failed');
      }
    };

  // --- Walk-up pages --------------------------------------------------------------------------

  const today = () => localDate(clock.now(), settings.libraryTimeZone);
  const answeredToday = (req: IncomingMessage) => cookiesOf(req)[ANSWERED_COOKIE] === today();
  const answeredCookie = (path: string) =>
    stringifySetCookie(ANSWERED_COOKIE, today(), {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path,
      maxAge: 2 * 24 * 3600,
    });

  const walkUpGet = guarded('walk_up', async (req, res) => {
    const path = pathOf(req.url) ?? '/';
    const { page, cookies } = contextOf(req, path);
    const found = await openByToken('walk_up', req, res, page, walkUps.open, cookies);
    if (!found) return;
    const { opened } = found;
    if (answeredToday(req)) return alreadyAnswered(req, res, page, opened.point.name, cookies);
    const { nonce, setCookie } = forms.nonce(req);
    if (setCookie) cookies.push(setCookie);
    const html = walkUpPage({
      page,
      pointName: opened.point.name,
      action: path,
      csrf: forms.fieldFor(nonce, path),
      values: { experience: null, expectation: null, doBetter: null, noLongerNeed: null },
      errors: {},
    });
    send('walk_up', req, res, 200, html, cookies);
  });

  const alreadyAnswered = (
    req: IncomingMessage,
    res: ServerResponse,
    page: PageContext,
    pointName: string,
    cookies: string[] = [],
  ) =>
    send(
      'walk_up',
      req,
      res,
      200,
      messagePage(page, page.t('walkUp.alreadyTitle'), [page.t('walkUp.already', { point: pointName })]),
      cookies,
    );

  const walkUpPost = guarded('walk_up', async (req, res) => {
    const path = pathOf(req.url) ?? '/';
    const fields = await postedForm('walk_up', req, res, path);
    if (!fields) return;
    const { page } = contextOf(req, path, fields.get('lang') ?? undefined);
    const found = await openByToken('walk_up', req, res, page, walkUps.open);
    if (!found) return;
    const { token, opened } = found;
    if (answeredToday(req)) return alreadyAnswered(req, res, page, opened.point.name);
    if (!rateLimit.take(clientAddress(req, settings.trustProxy), clock.now().getTime()))
      return refusal('walk_up', req, res, page, 429, 'rateLimited');
    const draft: WalkUpDraft = {
      experience: fields.get('experience'),
      expectation: fields.get('expectation'),
      doBetter: fields.get('doBetter'),
      noLongerNeed: fields.get('noLongerNeed'),
      language: page.lang,
      suspectedSpam: (fields.get('website') ?? '').trim() !== '',
    };
    const answered = await walkUps.answer(token, draft);
    if (answered.ok) {
      const html = messagePage(page, page.t('walkUp.thanksTitle'), [
        page.t('walkUp.thanks', { point: opened.point.name }),
        page.t('walkUp.thanksNext'),
      ]);
      return send('walk_up', req, res, 200, html, [answeredCookie(path)]);
    }
    if ('code' in answered) return linkRefused('walk_up', req, res, page, answered.code);
    const html = walkUpPage({
      page,
      pointName: opened.point.name,
      action: path,
      csrf: fields.get('csrf') ?? '',
      values: draft,
      errors: answered.errors,
    });
    send('walk_up', req, res, 422, html);
  });

  // --- A named patron's page ------------------------------------------------------------------

  const expiresOn = (page: PageContext, at: Date) =>
    new Intl.DateTimeFormat(page.lang, { dateStyle: 'long', timeZone: settings.libraryTimeZone }).format(at);

  const namedGet = guarded('named_patron', async (req, res) => {
    const path = pathOf(req.url) ?? '/';
    const { page, cookies } = contextOf(req, path);
    const found = await openByToken('named_patron', req, res, page, patronLinks.open, cookies);
    if (!found) return;
    const { opened } = found;
    const { nonce, setCookie } = forms.nonce(req);
    if (setCookie) cookies.push(setCookie);
    const html = namedPatronPage({
      page,
      staffName: opened.page.staffName ?? page.t('named.unnamedStaff'),
      service: opened.page.service,
      expiresOn: expiresOn(page, opened.page.expiresAt),
      action: path,
      csrf: forms.fieldFor(nonce, path),
      values: { answers: {}, customerScore: null, shareWithManager: false },
      errors: {},
    });
    send('named_patron', req, res, 200, html, cookies);
  });

  const namedPost = guarded('named_patron', async (req, res) => {
    const path = pathOf(req.url) ?? '/';
    const fields = await postedForm('named_patron', req, res, path);
    if (!fields) return;
    const { page } = contextOf(req, path, fields.get('lang') ?? undefined);
    const found = await openByToken('named_patron', req, res, page, patronLinks.open);
    if (!found) return;
    const { token, opened } = found;
    const draft: PatronAnswerDraft = {
      answers: Object.fromEntries(
        INTERVIEW_QUESTIONS.map((question) => [question.key, fields.get(question.key)]),
      ) as PatronAnswerDraft['answers'],
      customerScore: fields.get('customerScore'),
      shareWithManager: fields.get('shareWithManager') === 'yes',
    };
    const staffName = opened.page.staffName ?? page.t('named.unnamedStaff');
    const answered = await patronLinks.answer(token, draft);
    if (answered.ok) {
      const html = messagePage(page, page.t('named.thanksTitle'), [
        page.t('named.thanks', { staff: staffName }),
        page.t('named.thanksNext'),
      ]);
      send('named_patron', req, res, 200, html);
      // The staff member's result, the plan's news: after the patron has their page.
      if (answered.created) await patronLinks.announce(answered.answer);
      return;
    }
    if ('code' in answered) return linkRefused('named_patron', req, res, page, answered.code);
    const html = namedPatronPage({
      page,
      staffName,
      service: opened.page.service,
      expiresOn: expiresOn(page, opened.page.expiresAt),
      action: path,
      csrf: fields.get('csrf') ?? '',
      values: draft,
      errors: answered.errors,
    });
    send('named_patron', req, res, 422, html);
  });

  // --- Assets ---------------------------------------------------------------------------------

  const asset = (req: IncomingMessage, res: ServerResponse) => {
    const name = lastSegment(req.url);
    const found = name ? assets.get(name) : undefined;
    if (!found) {
      const { page } = contextOf(req, '/');
      return refusal('asset', req, res, page, 404, 'unknown');
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'content-type': found.type,
      'content-length': String(found.body.length),
      'cache-control': 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : found.body);
    logged('asset', req, 200);
  };

  return {
    [`${WALK_UP_PREFIX}/*`]: {
      GET: walkUpGet,
      HEAD: walkUpGet,
      POST: (req, res) => track(walkUpPost(req, res)),
    },
    [`${NAMED_PATRON_PREFIX}/*`]: {
      GET: namedGet,
      HEAD: namedGet,
      POST: (req, res) => track(namedPost(req, res)),
    },
    [`${ASSETS_PREFIX}/*`]: { GET: asset, HEAD: asset },
  };
}
