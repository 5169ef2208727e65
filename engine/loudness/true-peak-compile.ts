import { truePeakWat } from './true-peak-wat';

/** The true-peak scan's text compiled to WebAssembly with wabt (development only: build and test). */
export async function compileTruePeakWasm(): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat('true-peak.wat', truePeakWat(), { simd: true });
  try {
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
