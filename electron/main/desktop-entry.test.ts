import { describe, expect, it } from 'vitest';
import { linuxSchemeDesktopEntry, quoteExecArgument } from './desktop-entry';

describe('Linux AppImage desktop entry', () => {
  // [path, what the Exec key holds for it]
  it.each([
    ['/home/me/Apps/Siberia-Mix.AppImage', '"/home/me/Apps/Siberia-Mix.AppImage"'],
    ['/home/me/My Apps/Siberia Mix.AppImage', '"/home/me/My Apps/Siberia Mix.AppImage"'],
    ['/home/me/Siberia "Mix".AppImage', '"/home/me/Siberia \\\\"Mix\\\\".AppImage"'],
    ['/home/me/$HOME/`x`.AppImage', '"/home/me/\\\\$HOME/\\\\`x\\\\`.AppImage"'],
    ['/home/me/100% mix.AppImage', '"/home/me/100%% mix.AppImage"'],
    ['/home/me/back\\slash.AppImage', '"/home/me/back\\\\\\\\slash.AppImage"'],
  ])('quotes %s as %s', (path, exec) => {
    expect(quoteExecArgument(path)).toBe(exec);
  });

  it('refuses a path with a line break, which would add keys to the entry', () => {
    expect(() => quoteExecArgument('/tmp/x\nExec=evil')).toThrow(/control characters/);
  });

  it('registers the scheme for one URL per launch', () => {
    const entry = linuxSchemeDesktopEntry('/opt/Siberia Mix.AppImage', 'siberiamix');
    expect(entry).toContain('MimeType=x-scheme-handler/siberiamix;');
    expect(entry).toContain('Exec="/opt/Siberia Mix.AppImage" %u');
    expect(entry.startsWith('[Desktop Entry]\n')).toBe(true);
  });
});
