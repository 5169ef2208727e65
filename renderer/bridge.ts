import type { BridgeError, SiberiaBridge } from '../contracts/bridge';

declare global {
  interface Window {
    siberia?: SiberiaBridge;
  }
}

/** The preload's `window.siberia`, the renderer's only way out of its sandbox. */
export function getBridge(): SiberiaBridge | null {
  return window.siberia ?? null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

/** A call that throws (IPC broken, main gone) becomes an error result like any other. */
export async function call<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await run();
  } catch (error) {
    return { ok: false, error: { code: 'internal', message: String((error as Error)?.message ?? error) } };
  }
}
