import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confStore } from '../../../tests/host/node-ports';
import { Settings } from './settings';

const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-settings-'));
  return { dir, settings: new Settings(confStore(dir), { serverUrl: 'http://127.0.0.1:8787' }) };
};

describe('settings (over the app’s conf store)', () => {
  it('makes a random device id once and keeps it across restarts', () => {
    const { dir, settings } = fresh();
    const id = settings.deviceId();
    expect(id).toMatch(/^dev_[A-Za-z0-9_-]{20,}$/);
    expect(settings.deviceId()).toBe(id);
    expect(new Settings(confStore(dir), { serverUrl: 'x' }).deviceId()).toBe(id);
    expect(fresh().settings.deviceId()).not.toBe(id);
  });

  it('keeps server URL, locale, window bounds and the ten most recent projects', () => {
    const { settings } = fresh();
    expect(settings.serverUrl()).toBe('http://127.0.0.1:8787');
    settings.setServerUrl('https://api.siberiamix.app');
    expect(settings.serverUrl()).toBe('https://api.siberiamix.app');
    expect(settings.locale()).toBe('en');
    settings.setLocale('fr');
    expect(settings.locale()).toBe('fr');
    settings.setWindowBounds({ x: 10, y: 20, width: 1200, height: 800, maximized: false });
    expect(settings.windowBounds()).toEqual({ x: 10, y: 20, width: 1200, height: 800, maximized: false });
    for (let i = 0; i < 12; i++) settings.addRecentProject(`/p/${i}.siberia`);
    settings.addRecentProject('/p/5.siberia');
    expect(settings.recentProjects()[0]).toBe('/p/5.siberia');
    expect(settings.recentProjects()).toHaveLength(10);
  });

  it('refuses bad values and reads hand-edited nonsense as the defaults', () => {
    const { dir, settings } = fresh();
    expect(() => settings.setServerUrl('not a url')).toThrow();
    expect(() => settings.setLocale('de' as 'en')).toThrow();
    expect(() => settings.setWindowBounds({ width: 5, height: 5, maximized: false })).toThrow();
    expect(settings.serverUrl()).toBe('http://127.0.0.1:8787');
    writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({
        serverUrl: 42,
        locale: 'xx',
        deviceId: 'bad id!',
        windowBounds: 'big',
        recentProjects: 'x',
      }),
    );
    const again = new Settings(confStore(dir), { serverUrl: 'http://127.0.0.1:8787' });
    expect(again.serverUrl()).toBe('http://127.0.0.1:8787');
    expect(again.locale()).toBe('en');
    expect(again.windowBounds()).toBeNull();
    expect(again.recentProjects()).toEqual([]);
    expect(again.deviceId()).toMatch(/^dev_/);
  });
});
