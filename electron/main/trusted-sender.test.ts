import { describe, expect, it } from 'vitest';
import { APP_ORIGIN } from './renderer-files';
import { type IpcSender, isTrustedSender, type TrustedWindow } from './trusted-sender';

const contents = { id: 1 };
const mainFrame = { name: 'main' };
const window: TrustedWindow = { contents, mainFrame, origin: APP_ORIGIN };
const ours: IpcSender = { contents, frame: mainFrame, frameUrl: `${APP_ORIGIN}/index.html` };

const cases: Array<[string, IpcSender, TrustedWindow | null, boolean]> = [
  ['our main frame on our origin', ours, window, true],
  ['our main frame at the root', { ...ours, frameUrl: `${APP_ORIGIN}/` }, window, true],
  ['no window (closed or not made yet)', ours, null, false],
  ['another window’s contents', { ...ours, contents: { id: 2 } }, window, false],
  ['a subframe of our window', { ...ours, frame: { name: 'iframe' } }, window, false],
  ['a frame already gone', { ...ours, frame: null }, window, false],
  ['our frame navigated to another site', { ...ours, frameUrl: 'https://evil.example/' }, window, false],
  ['our frame on a look-alike host', { ...ours, frameUrl: 'app://siberia.evil/index.html' }, window, false],
  ['our frame on file://', { ...ours, frameUrl: 'file:///tmp/index.html' }, window, false],
  ['our frame with credentials in its URL', { ...ours, frameUrl: 'app://x@siberia/' }, window, false],
  ['a frame without a URL', { ...ours, frameUrl: null }, window, false],
  [
    'the browser shell’s page on its own origin',
    { ...ours, frameUrl: 'http://127.0.0.1:5000/index.html' },
    { ...window, origin: 'http://127.0.0.1:5000' },
    true,
  ],
  [
    'the browser shell’s page on another port',
    { ...ours, frameUrl: 'http://127.0.0.1:5001/index.html' },
    { ...window, origin: 'http://127.0.0.1:5000' },
    false,
  ],
];

describe('the IPC sender check', () => {
  it.each(cases)('%s → %s', (_name, sender, win, trusted) => {
    expect(isTrustedSender(sender, win)).toBe(trusted);
  });
});
