// `npm run server`: the companion server from the environment (and a .env file).
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, startServer } from './index';

loadDotenv({ quiet: true });
try {
  const server = await startServer(loadConfig(process.env));
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
