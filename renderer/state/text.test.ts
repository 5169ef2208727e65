import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { errorText } from './text';

const en = translator('en');

describe('errors', () => {
  it('known codes get the catalogue sentence; others show main’s message', () => {
    const known = errorText({ code: 'invalid_credentials', message: 'bad' });
    expect(en(known.key, known.params)).toBe('Wrong email or password.');
    const other = errorText({ code: 'internal', message: 'Disk full' });
    expect(en(other.key, other.params)).toBe('Disk full');
  });
});
