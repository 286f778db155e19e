/**
 * `npm run demo`: two Express services in one process, traced with sextant's
 * middleware and traced fetch; prints the combined trace tree from the ConsoleRecorder.
 * See samples/express-two-services.ts for the code.
 */
import { runTwoServices } from './express-two-services';

process.stdout.write('sextant demo: frontend -> users, one trace across two services\n\n');
runTwoServices().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
