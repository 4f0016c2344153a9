// `npm run simulator`: the exchange simulator on 127.0.0.1:${SIMULATOR_PORT:-4010}.
import { startSimulator } from './server';

const port = Number(process.env.SIMULATOR_PORT ?? 4010);
const simulator = await startSimulator(port);
console.info(`Exchange simulator on ${simulator.url}`);
console.info(`Point Coinsphere at it: EXCHANGE_API_OVERRIDE=${simulator.url} npm run dev`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
