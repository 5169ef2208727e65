import { createContext, useContext } from 'react';
import type { DeskController } from '../app/controller';
import { type MessageKey, type Params, translator } from '../i18n';
import { useStore } from '../state/store';
import type { Text } from '../state/text';

export const ControllerContext = createContext<DeskController | null>(null);

export function useController(): DeskController {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error('DeskController missing: render inside <ControllerContext>');
  return controller;
}

/** The translate function of the current locale; components re-render when the locale changes. */
export function useT(): {
  t: (key: MessageKey, params?: Params) => string;
  tx: (text: Text) => string;
  locale: 'en' | 'fr';
} {
  const controller = useController();
  const locale = useStore(controller.session, (s) => s.locale);
  const t = translator(locale);
  return { t, tx: (text) => t(text.key, text.params), locale };
}
