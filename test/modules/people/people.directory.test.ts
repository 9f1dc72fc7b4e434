import { beforeEach, expect, it } from 'vitest';
import { fixedClock } from '../../../src/lib/clock.js';
import {
  createPeopleDirectory,
  PERSON_CACHE_MS,
  PersonLookupError,
} from '../../../src/modules/people/people.directory.js';
import type { PersonAnswer, PersonSource } from '../../../src/modules/people/people.port.js';
import { createPeopleRepository } from '../../../src/modules/people/people.repository.js';
import { describeEachDatabase } from '../../helpers/database.js';

/** A source that answers what the test says, and counts how often it was asked. */
function scriptedSource(answer: () => Promise<PersonAnswer> | PersonAnswer) {
  const source: PersonSource & { asked: number } = {
    asked: 0,
    async lookup() {
      source.asked++;
      return answer();
    },
  };
  return source;
}

const found = (name: string, tz: string | null = 'Europe/London'): PersonAnswer => ({
  kind: 'found',
  profile: { name, isBot: false, deleted: false, tz },
});

describeEachDatabase('people directory', (getDb) => {
  const clock = fixedClock('2026-11-25T10:00:00Z');
  beforeEach(() => clock.set('2026-11-25T10:00:00Z'));
  const people = () => createPeopleRepository({ db: getDb().handle.db });

  it('stores what the source says, with typed names cleaned, and trusts it for a while', async () => {
    const source = scriptedSource(() => found('Sam\u0007 Staff '));
    const directory = createPeopleDirectory({ source, people: people(), clock });
    expect(await directory.lookup('USAM')).toMatchObject({
      userId: 'USAM',
      name: 'Sam Staff',
      tz: 'Europe/London',
      isBot: false,
      deleted: false,
      dmChannelId: null,
    });
    clock.advance(PERSON_CACHE_MS - 1);
    await directory.lookup('USAM');
    expect(source.asked).toBe(1);
    clock.advance(2);
    await directory.lookup('USAM');
    expect(source.asked).toBe(2);
  });

  it('names a person with no name by their id, and knows nobody the source does not', async () => {
    const nameless = createPeopleDirectory({
      source: scriptedSource(() => found('', null)),
      people: people(),
      clock,
    });
    expect(await nameless.lookup('UNONAME')).toMatchObject({ name: 'UNONAME', tz: null });
    const nobody = createPeopleDirectory({
      source: scriptedSource(() => ({ kind: 'not_found' })),
      people: people(),
      clock,
    });
    expect(await nobody.lookup('UGONE')).toBeUndefined();
  });

  it('falls back to a stale answer when the source is unavailable, and says so when it has none', async () => {
    let answer: PersonAnswer = found('Sam');
    const directory = createPeopleDirectory({
      source: scriptedSource(() => answer),
      people: people(),
      clock,
    });
    await directory.lookup('USAM');
    clock.advance(PERSON_CACHE_MS + 1);
    answer = { kind: 'unavailable', cause: new Error('down') };
    expect(await directory.lookup('USAM')).toMatchObject({ name: 'Sam' });
    await expect(directory.lookup('UNEW')).rejects.toBeInstanceOf(PersonLookupError);
  });

  it('gives up on a slow source after the timeout asked for', async () => {
    const directory = createPeopleDirectory({
      source: scriptedSource(() => new Promise<PersonAnswer>(() => {})),
      people: people(),
      clock,
    });
    await expect(directory.lookup('USLOW', { timeoutMs: 50 })).rejects.toBeInstanceOf(PersonLookupError);
  });
});
