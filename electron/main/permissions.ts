import { isAppUrl } from './renderer-files';

/**
 * Web permissions the renderer may have. The desk plays audio, reads files the musician drops or
 * picks, and copies text; it needs no camera, microphone, notifications, location, MIDI or devices.
 * Only a sanitized clipboard write, and only from our own origin; everything else is refused, both
 * when the page asks (request handler) and when Chromium checks quietly (check handler).
 */
const ALLOWED: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function permissionAllowed(permission: string, origin: string, appOrigin?: string): boolean {
  return ALLOWED.has(permission) && isAppUrl(origin, appOrigin);
}
