// AudioWorklet that copies the master bus to the meter Worker in blocks of about 40 ms. It passes
// audio through untouched; the meter itself runs in the Worker with the engine's LoudnessMeter.

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

const BLOCK = 2048;

class MeterTap extends AudioWorkletProcessor {
  private target: MessagePort | null = null;
  private left = new Float32Array(BLOCK);
  private right = new Float32Array(BLOCK);
  private fill = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<{ port: MessagePort }>) => {
      this.target = event.data.port;
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    const l = input[0];
    const r = input[1] ?? l;
    for (let c = 0; c < output.length; c++) {
      const src = input[c] ?? l;
      if (src) output[c]?.set(src);
    }
    if (!l || !r || !this.target) return true;
    const n = l.length;
    this.left.set(l, this.fill);
    this.right.set(r, this.fill);
    this.fill += n;
    if (this.fill + n > BLOCK) {
      const left = this.left.slice(0, this.fill);
      const right = this.right.slice(0, this.fill);
      this.target.postMessage([left, right], [left.buffer, right.buffer]);
      this.fill = 0;
    }
    return true;
  }
}

registerProcessor('siberia-meter-tap', MeterTap);
