import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { RiskRepository } from '../risk/repository.ts';
import type { AlertsService } from '../alerts/index.ts';
import type { ChannelName } from '../notifications/routing.ts';
import type { EmergencyService } from '../emergency/index.ts';
import { londonTime } from '../../time/london.ts';
import type { DuressRepository } from './repository.ts';

export type Trx = Transaction<DB>;
export type Location = { lat: number; lng: number };

/**
 * The emergency information pack's break-glass (src/features/emergency): the police pack's car
 * comes from it, opened on purpose with a reason, recorded for the worker to see and audited.
 */
export type EmergencyPackReader = Pick<EmergencyService, 'breakGlass'>;
export interface OpenedPack {
  car: { makeModel: string | null; colour: string | null; registration: string | null } | null;
  description: string | null;
  missing: boolean;
  unreadable: boolean;
}

export interface DuressDeps {
  db: Kysely<DB>;
  staff: StaffRepository;
  audit: AuditRepository;
  risk: RiskRepository;
  alerts: AlertsService;
  plan: { channel: ChannelName; fallbacks: ChannelName[] };
  baseUrl: string;
  /** How long "call you back in 5 minutes" waits (shorter in tests). */
  callbackSeconds?: number;
  /** Wakes the escalation loop so step 0 of a new alarm fires at once. */
  onAlarm?: () => void;
  /** Wakes the notification dispatcher after messages are queued. */
  onNotify?: () => void;
  emergency?: EmergencyPackReader;
}

/** What every capability module is built from: the dependencies and the feature's repository. */
export interface DuressContext {
  deps: DuressDeps;
  repo: DuressRepository;
}

export const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
export const addressOf = (v: { address: string | null; postcode: string | null } | null | undefined) =>
  v ? [v.address, v.postcode].filter(Boolean).join(', ') || null : null;
export const when = (iso: string | Date) => londonTime(new Date(iso));

/** Queues one message per person on the configured channels (the inbox always shows it). */
export async function notify(
  { deps, repo }: DuressContext,
  trx: Trx,
  recipients: number[],
  subject: string,
  body: string,
  link: string,
) {
  for (const r of new Set(recipients)) {
    await repo.insertNotification(trx, {
      recipientId: r,
      channel: deps.plan.channel,
      fallbacks: deps.plan.fallbacks,
      subject,
      body,
      link: deps.baseUrl + link,
    });
  }
}
