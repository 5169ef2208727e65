import type { LinkAllowList } from './link-allow-list';
import { APP_ORIGIN, isAppUrl } from './renderer-files';

/**
 * The window never leaves the renderer: navigations and redirects elsewhere are cancelled, webviews
 * are never attached, and no new window ever opens. A window.open to a page on the link allow-list
 * (Stripe's checkout or portal, or the configured emulator) goes to the system browser instead.
 */
export type NavigationPolicy = {
  /** will-navigate, will-frame-navigate and will-redirect: whether to let it happen. */
  mayNavigate(url: string): boolean;
  /** setWindowOpenHandler: Electron always gets "deny"; `openExternally` says whether the browser opens it. */
  windowOpen(url: string): { action: 'deny'; openExternally: boolean };
};

export function createNavigationPolicy(
  allowList: LinkAllowList,
  origin: string = APP_ORIGIN,
): NavigationPolicy {
  return {
    mayNavigate: (url) => isAppUrl(url, origin),
    windowOpen: (url) => ({ action: 'deny', openExternally: allowList.allows(url) }),
  };
}
