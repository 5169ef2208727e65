import type { BridgeError } from '../../contracts/bridge';
import type { MessageKey, Params } from '../i18n';

/** A line of text to show: a catalogue key and its values, so the words stay in the catalogues. */
export type Text = { key: MessageKey; params?: Params };

const knownCodes = new Set<string>([
  'invalid_credentials',
  'email_taken',
  'rate_limited',
  'server_unreachable',
  'validation_error',
  'already_subscribed',
  'no_subscription',
  'stripe_unavailable',
  'payments_unavailable',
  'mail_unavailable',
  'unauthorized',
]);

/** A bridge error in plain words: the catalogue's sentence for codes we know, main's message otherwise. */
export function errorText(error: BridgeError): Text {
  if (knownCodes.has(error.code)) {
    return { key: `error.${error.code}` as MessageKey, params: { message: error.message } };
  }
  return { key: 'error.generic', params: { message: error.message } };
}
