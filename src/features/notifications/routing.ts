export type ChannelName = 'sms' | 'email' | 'push' | 'inbox';

export interface ConfiguredChannels {
  sms: boolean;
  email: boolean;
  push: boolean;
}

/**
 * Which channel to try first for an alert message, and what to fall back to if it fails. With no
 * provider configured (the embedded demo) everything goes to the in-app inbox and the Outbox page.
 */
export function channelPlan(configured: ConfiguredChannels): { channel: ChannelName; fallbacks: ChannelName[] } {
  const order: ChannelName[] = [];
  if (configured.sms) order.push('sms');
  if (configured.push) order.push('push');
  if (configured.email) order.push('email');
  order.push('inbox');
  return { channel: order[0]!, fallbacks: order.slice(1) };
}
