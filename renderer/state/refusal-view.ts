import type { Locale } from '../../contracts/bridge';
import type { Refusal } from '../../contracts/refusal';
import { formatDate } from '../i18n';
import type { Text } from './text';

export type RefusalAction = 'pricing' | 'signIn' | 'signUp' | 'retry' | 'devices';
export type RefusalView = { title: Text; body: Text; actions: { action: RefusalAction; label: Text }[] };

/** What the refusal modal says and offers for each reason main gives; the facts come with the refusal. */
export function refusalView(refusal: Refusal, locale: Locale): RefusalView {
  switch (refusal.reason) {
    case 'upgrade_required':
      return {
        title: { key: 'refusal.upgrade_required.title' },
        body: { key: 'refusal.upgrade_required.body' },
        actions: [{ action: 'pricing', label: { key: 'refusal.goPro' } }],
      };
    case 'trial_exhausted':
      return {
        title: { key: 'refusal.trial_exhausted.title' },
        body: {
          key:
            refusal.feature === 'master'
              ? 'refusal.trial_exhausted.bodyMaster'
              : 'refusal.trial_exhausted.bodyExport',
          params: { used: refusal.used ?? refusal.limit ?? 0, limit: refusal.limit ?? 0 },
        },
        actions: [{ action: 'pricing', label: { key: 'refusal.goPro' } }],
      };
    // Pro at its limit: the facts and the date it resets; no upgrade wording, no pricing link.
    case 'quota_exceeded': {
      const { used, limit, resetAt } = refusal;
      const body: Text =
        used !== null && limit !== null && resetAt !== null
          ? {
              key:
                refusal.feature === 'master'
                  ? 'refusal.quota_exceeded.bodyMaster'
                  : 'refusal.quota_exceeded.bodyExport',
              params: { used, limit, date: formatDate(locale, resetAt) },
            }
          : { key: 'refusal.quota_exceeded.bodyPlain' };
      return { title: { key: 'refusal.quota_exceeded.title' }, body, actions: [] };
    }
    case 'device_limit':
      return {
        title: { key: 'refusal.device_limit.title' },
        body:
          refusal.limit !== null
            ? { key: 'refusal.device_limit.body', params: { limit: refusal.limit } }
            : { key: 'refusal.device_limit.bodyPlain' },
        actions: [
          { action: 'devices', label: { key: 'refusal.devices' } },
          { action: 'retry', label: { key: 'refusal.retry' } },
        ],
      };
    case 'signed_out':
      return {
        title: { key: 'refusal.signed_out.title' },
        body: { key: 'refusal.signed_out.body' },
        actions: [
          { action: 'signIn', label: { key: 'refusal.signIn' } },
          { action: 'signUp', label: { key: 'refusal.signUp' } },
          { action: 'pricing', label: { key: 'refusal.seePlans' } },
        ],
      };
    case 'offline_expired':
      return {
        title: { key: 'refusal.offline_expired.title' },
        body:
          refusal.offlineSince !== null
            ? {
                key: 'refusal.offline_expired.bodySince',
                params: { since: formatDate(locale, refusal.offlineSince) },
              }
            : { key: 'refusal.offline_expired.body' },
        actions: [{ action: 'retry', label: { key: 'refusal.retry' } }],
      };
  }
}
