import { describe, expect, it } from 'vitest';
import { rendererGonePrompt, rendererUnresponsivePrompt } from './renderer-recovery';

describe('when the desk stops', () => {
  it.each([
    ['oom', /ran out of memory/],
    ['killed', /stopped by the system/],
    ['crashed', /crashed/],
    ['launch-failed', /stopped \(launch-failed\)/],
  ])('gone (%s): says why and offers to reload from the autosave', (reason, why) => {
    const prompt = rendererGonePrompt(reason);
    expect(prompt?.message).toMatch(why);
    expect(prompt?.detail).toMatch(/autosave/);
    expect(prompt?.buttons[prompt.reload]).toBe('Reload');
  });

  it('a clean exit is no failure', () => {
    expect(rendererGonePrompt('clean-exit')).toBeNull();
  });

  it('unresponsive: waiting first, reloading second', () => {
    const prompt = rendererUnresponsivePrompt();
    expect(prompt.buttons).toEqual(['Wait', 'Reload']);
    expect(prompt.buttons[prompt.reload]).toBe('Reload');
  });
});
