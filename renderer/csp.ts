import { z } from 'zod';

// The app's CSP has no 'unsafe-eval': zod must not compile its parsers with `new Function`.
// Imported first (before contracts/): a schema decides at construction whether to compile.
z.config({ jitless: true });
