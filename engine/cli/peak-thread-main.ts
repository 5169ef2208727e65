// The peak thread's entry (bundled as dist/audio/peak-thread.cjs beside the command line): runs each
// job the command line posts (see peak-thread.ts).
import { parentPort } from 'node:worker_threads';
import { runJob } from './peak-thread';

parentPort?.on('message', (job: Parameters<typeof runJob>[0]) => runJob(job));
