import { describe, expect, it } from 'vitest';
import { refusal } from '../../contracts/refusal';
import { initialSession, sessionReducer } from '../state/session';
import { createStore } from '../state/store';
import { Notices } from './notices';

function notices(locale: 'en' | 'fr' = 'en') {
  const session = createStore(sessionReducer, initialSession(locale));
  return { session, notices: new Notices(session) };
}

describe('notices', () => {
  it('shows main’s refusal as it answered, in its modal, and nothing else', () => {
    const { session, notices: n } = notices();
    const quota = refusal('quota_exceeded', 'master', {
      used: 3,
      limit: 3,
      resetAt: '2026-12-01T00:00:00.000Z',
    });
    n.failed({ code: 'refused', message: 'Monthly quota reached', refusal: quota });
    expect(session.getState().modal).toEqual({ type: 'refusal', refusal: quota });
    expect(session.getState().notices).toEqual([]);
  });

  it('says nothing about a cancelled dialog; anything else is an error toast in the locale', () => {
    const { session, notices: n } = notices('fr');
    n.failed({ code: 'cancelled', message: 'Saving was cancelled.' });
    expect(session.getState().notices).toEqual([]);
    n.failed({ code: 'internal', message: 'Disk full' }, (message) => ({
      key: 'render.saveFailed',
      params: { message },
    }));
    n.failed({ code: 'invalid_credentials', message: 'bad' });
    const texts = session.getState().notices.map((x) => [x.level, x.text]);
    expect(texts).toHaveLength(2);
    expect(texts[0]?.[0]).toBe('error');
    expect(texts[0]?.[1]).toContain('Disk full');
    expect(texts[1]?.[1]).toBe(n.t('error.invalid_credentials', { message: 'bad' }));
    expect(session.getState().modal).toBeNull();
  });

  it('says a duration with one decimal in the locale, never split from its unit', () => {
    expect(notices('en').notices.seconds(50)).toBe('50.0\u00a0s');
    expect(notices('fr').notices.seconds(10.44)).toBe('10,4\u00a0s');
  });
});
