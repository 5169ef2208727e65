import { describe, expect, it } from 'vitest';
import { permissionAllowed } from './permissions';

describe('web permissions', () => {
  it.each([
    ['clipboard-sanitized-write', 'app://siberia', true],
    ['clipboard-sanitized-write', 'app://siberia/index.html', true],
    ['clipboard-sanitized-write', 'https://evil.example', false],
    ['clipboard-read', 'app://siberia', false],
    ['media', 'app://siberia', false],
    ['midi', 'app://siberia', false],
    ['midiSysex', 'app://siberia', false],
    ['notifications', 'app://siberia', false],
    ['geolocation', 'app://siberia', false],
    ['hid', 'app://siberia', false],
    ['serial', 'app://siberia', false],
    ['usb', 'app://siberia', false],
    ['openExternal', 'app://siberia', false],
    ['fileSystem', 'app://siberia', false],
  ])('%s from %s → %s', (permission, origin, allowed) => {
    expect(permissionAllowed(permission, origin)).toBe(allowed);
  });
});
