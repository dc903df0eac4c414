import pino from 'pino';
import { DiscordSimulator, type DiscordSimulatorOptions } from '../../src/simulator';
import { GatewayTestClient } from './gateway-client';

/** A started simulator with one bare gateway client identified as the only shard (interactions need a live shard). */
export interface ConnectedSimulator {
  simulator: DiscordSimulator;
  gateway: GatewayTestClient;
}

export async function startConnectedSimulator(options: DiscordSimulatorOptions): Promise<ConnectedSimulator> {
  const simulator = new DiscordSimulator({ logger: pino({ level: 'silent' }), ...options });
  await simulator.start();
  const gateway = await GatewayTestClient.connect(simulator.gatewayUrl);
  await gateway.identify(simulator.options.token, [0, 1]);
  return { simulator, gateway };
}

export async function stopConnectedSimulator(connected: ConnectedSimulator | undefined): Promise<void> {
  connected?.gateway.close();
  await connected?.simulator.stop();
}
