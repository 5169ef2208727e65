import type { Locale } from '../../contracts/bridge';
import type { Refusal } from '../../contracts/refusal';
import { formatDate } from '../i18n';
import type { Text } from './text';

export type RefusalAction = 'pricing' | 'signIn' | 'signUp' | 'retry';
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
      return {
        title: { key: 'refusal.quota_exceeded.title' },
        body,
        actions: [{ action: 'pricing', label: { key: 'refusal.seePlans' } }],
      };
    }
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
        body: { key: 'refusal.offline_expired.body' },
        actions: [{ action: 'retry', label: { key: 'refusal.retry' } }],
      };
  }
}
