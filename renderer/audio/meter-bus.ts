import type { FromMeter, MeterReading, ToMeter } from './protocol';

/**
 * The master bus's way to the speakers, with the meter tap on it once the worklet has loaded (the
 * desk does not wait for it). The tap sends blocks straight to the meter Worker over a MessagePort.
 */
export class MeterBus {
  readonly input: GainNode;
  private tap: AudioWorkletNode | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly context: AudioContext,
    spawn: () => Worker,
    workletUrl: string,
    onReading: (reading: MeterReading) => void,
  ) {
    this.input = context.createGain();
    this.input.connect(context.destination);
    void this.attach(spawn, workletUrl, onReading);
  }

  private async attach(
    spawn: () => Worker,
    url: string,
    onReading: (r: MeterReading) => void,
  ): Promise<void> {
    try {
      await this.context.audioWorklet.addModule(url);
    } catch {
      // No worklet (an odd embedding): the desk plays on, without meters.
      return;
    }
    const tap = new AudioWorkletNode(this.context, 'siberia-meter-tap', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
    });
    const worker = spawn();
    const channel = new MessageChannel();
    tap.port.postMessage({ port: channel.port2 }, [channel.port2]);
    const connect: ToMeter = { type: 'connect', port: channel.port1, sampleRate: this.context.sampleRate };
    worker.postMessage(connect, [channel.port1]);
    worker.onmessage = (event: MessageEvent<FromMeter>) => onReading(event.data.reading);
    this.input.disconnect();
    this.input.connect(tap).connect(this.context.destination);
    this.tap = tap;
    this.worker = worker;
  }

  reset(): void {
    const message: ToMeter = { type: 'reset' };
    this.worker?.postMessage(message);
  }

  dispose(): void {
    this.worker?.terminate();
    this.tap?.disconnect();
    this.input.disconnect();
  }
}
