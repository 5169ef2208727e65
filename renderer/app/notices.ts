import type { BridgeError, Locale } from '../../contracts/bridge';
import type { Refusal } from '../../contracts/refusal';
import { formatNumber, type MessageKey, type Params, translator } from '../i18n';
import type { NoticeAction, SessionAction, SessionState } from '../state/session';
import type { Store } from '../state/store';
import { errorText, type Text } from '../state/text';

export type NoticeLevel = 'info' | 'warning' | 'error';

/** How every part of the desk speaks to the musician: toasts in the current locale, and refusals. */
export class Notices {
  constructor(private readonly session: Store<SessionState, SessionAction>) {}

  t(key: MessageKey, params?: Params): string {
    return translator(this.session.getState().locale)(key, params);
  }

  /** A duration for the musician: "50.0 s", "50,0 s". */
  seconds(value: number): string {
    const locale = this.session.getState().locale;
    return this.t('unit.secondsValue', { value: formatNumber(locale, value, 1) ?? '' });
  }

  text(text: Text): string {
    return this.t(text.key, text.params);
  }

  get locale(): Locale {
    return this.session.getState().locale;
  }

  notify(level: NoticeLevel, text: Text, undo = false): void {
    this.session.dispatch({ type: 'notify', level, text: this.text(text), undo });
  }

  /** A notice that stays until dismissed: its sentences in the locale, and one button (or none). */
  offer(
    level: NoticeLevel,
    texts: readonly Text[],
    action: (Omit<NoticeAction, 'label'> & { label: Text }) | null,
  ): void {
    const text = texts.map((x) => this.text(x)).join(' ');
    this.session.dispatch({
      type: 'notify',
      level,
      text,
      stays: true,
      ...(action ? { action: { ...action, label: this.text(action.label) } } : {}),
    });
  }

  /** Main's refusal, shown as main answered it. */
  refused(refusal: Refusal): void {
    this.session.dispatch({ type: 'openModal', modal: { type: 'refusal', refusal } });
  }

  /**
   * A failed bridge call: a refusal opens its modal, a cancelled dialog says nothing, anything else is
   * an error toast (`wrap` puts main's words into a sentence of the caller's).
   */
  failed(error: BridgeError, wrap?: (message: string) => Text): void {
    if (error.code === 'refused') this.refused(error.refusal);
    else if (error.code !== 'cancelled')
      this.notify('error', wrap ? wrap(this.text(errorText(error))) : errorText(error));
  }
}
