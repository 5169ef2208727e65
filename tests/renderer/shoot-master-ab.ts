// A screenshot of the master's report with the A/B playing (the mastered side heard, the levels
// matched): `npx tsx tests/renderer/shoot-master-ab.ts [outDir]` (after `npm run build`;
// docs/screens/master-ab-en.png is the one committed).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { importWav, openDesk, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

const out = path.resolve(process.argv[2] ?? 'test-results/renderer-screens');
mkdirSync(out, { recursive: true });

const desk = await startDesk();
try {
  const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
  await importWav(page, 'Song.wav', toneWav(30));
  await page.getByRole('button', { name: 'Master', exact: true }).click();
  const report = page.getByRole('dialog', { name: 'Your master is ready' });
  await report.waitFor({ timeout: 60_000 });
  await report.getByRole('button', { name: 'B: mastered' }).click();
  await report.getByRole('button', { name: 'Play A/B' }).click();
  await report.getByRole('button', { name: 'Stop' }).waitFor();
  // A moment of playing, so the master meter reads the A/B (short-term: 3 s).
  await page.waitForTimeout(4000);
  await page.screenshot({ path: path.join(out, 'master-ab-en.png') });
  await page.close();
} finally {
  await desk.close();
}
