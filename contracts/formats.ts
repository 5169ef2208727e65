/**
 * The format table and the master's presets as plain data, without zod: the command line reads them
 * at every start, and parsing zod's bundle cost it a third of its start-up. The schemas that
 * validate these names across process boundaries are built from these lists in export.ts.
 */
export const EXPORT_FORMATS = ['wav16', 'wav24', 'wav32f', 'flac16', 'flac24', 'mp3-320', 'mp3-v0'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type FileKind = 'wav' | 'flac' | 'mp3';

type FormatFacts = {
  file: FileKind;
  /** Bits per sample of the PCM written (MP3: the PCM the encoder is fed). */
  bits: 16 | 24 | 32;
  float: boolean;
  /** Roughly how many bytes a second of stereo costs at `rate` (for the dialog's estimate). */
  bytesPerSecond: (rate: number) => number;
};

export const FORMATS: Record<ExportFormat, FormatFacts> = {
  wav16: { file: 'wav', bits: 16, float: false, bytesPerSecond: (r) => r * 2 * 2 },
  wav24: { file: 'wav', bits: 24, float: false, bytesPerSecond: (r) => r * 2 * 3 },
  wav32f: { file: 'wav', bits: 32, float: true, bytesPerSecond: (r) => r * 2 * 4 },
  // Lossless music typically packs to 55–65 % of its PCM; the estimate says "about".
  flac16: { file: 'flac', bits: 16, float: false, bytesPerSecond: (r) => r * 2 * 2 * 0.6 },
  flac24: { file: 'flac', bits: 24, float: false, bytesPerSecond: (r) => r * 2 * 3 * 0.65 },
  'mp3-320': { file: 'mp3', bits: 16, float: false, bytesPerSecond: () => 320_000 / 8 },
  // LAME's V0 averages about 245 kbit/s on full-band music.
  'mp3-v0': { file: 'mp3', bits: 16, float: false, bytesPerSecond: () => 245_000 / 8 },
};

export const fileExtension = (format: ExportFormat): FileKind => FORMATS[format].file;

/**
 * The CLI's rule: the format from the output's extension, refined by --bits (WAV 16/24/32f, FLAC
 * 16/24) or --mp3 (320/v0). Null when the pair makes no file we write.
 */
export function formatFor(
  extension: string,
  opts: { bits?: '16' | '24' | '32f'; mp3?: '320' | 'v0' } = {},
): ExportFormat | null {
  const ext = extension.toLowerCase().replace(/^\./, '');
  if (ext === 'wav' || ext === 'wave') {
    return opts.bits === '16' ? 'wav16' : opts.bits === '32f' ? 'wav32f' : 'wav24';
  }
  if (ext === 'flac') {
    if (opts.bits === '32f') return null;
    return opts.bits === '16' ? 'flac16' : 'flac24';
  }
  if (ext === 'mp3') {
    if (opts.bits) return null;
    return opts.mp3 === 'v0' ? 'mp3-v0' : 'mp3-320';
  }
  return null;
}

/** The master's presets, with the numbers the musician sees beside them. */
export const MASTER_PRESET_IDS = ['streaming', 'apple', 'club', 'broadcast', 'custom'] as const;
export type MasterPresetId = (typeof MASTER_PRESET_IDS)[number];
export const MASTER_PRESETS: Record<
  Exclude<MasterPresetId, 'custom'>,
  { targetLufs: number; ceilingDbtp: number }
> = {
  streaming: { targetLufs: -14, ceilingDbtp: -1 },
  apple: { targetLufs: -16, ceilingDbtp: -1 },
  club: { targetLufs: -9, ceilingDbtp: -0.3 },
  /** EBU R128. */
  broadcast: { targetLufs: -23, ceilingDbtp: -1 },
};

/** The preset a target and ceiling are, or 'custom'. */
export function presetOf(targetLufs: number, ceilingDbtp: number): MasterPresetId {
  for (const [id, p] of Object.entries(MASTER_PRESETS))
    if (p.targetLufs === targetLufs && p.ceilingDbtp === ceilingDbtp) return id as MasterPresetId;
  return 'custom';
}
