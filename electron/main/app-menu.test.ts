import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from './app-menu';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((i) => [
    ...(i.role ? [i.role] : []),
    ...(Array.isArray(i.submenu) ? roles(i.submenu as MenuItemConstructorOptions[]) : []),
  ]);
const developerRoles = ['reload', 'forceReload', 'toggleDevTools'];

describe('the application menu', () => {
  it.each(['linux', 'win32', 'darwin'] as const)(
    'packaged on %s: no reload, no developer tools',
    (platform) => {
      const r = roles(appMenuTemplate({ platform, packaged: true }));
      for (const role of developerRoles) expect(r).not.toContain(role);
      expect(r).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu', 'togglefullscreen']));
      expect(r.includes('appMenu')).toBe(platform === 'darwin');
    },
  );

  it('in development: reload and developer tools are there', () => {
    expect(roles(appMenuTemplate({ platform: 'linux', packaged: false }))).toEqual(
      expect.arrayContaining(developerRoles),
    );
  });
});
