import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { addDays, londonToday } from '../../time/london.ts';
import { demoComplaintsRepository as repo } from './demo-repository.ts';

/**
 * A few demo complaints, dated relative to today: two about Ben Carter from unrelated households
 * (so the repeat-complaints pattern shows him), one at stage 2 and one past its stage 1 deadline; one
 * about Owen Jones just received.
 */
export async function seedDemoComplaints(
  trx: Transaction<DB>,
  ids: { ben: number; owen: number; ashford: number; maidstone: number; service: number },
) {
  const today = londonToday();
  const complaint = async (c: {
    daysAgo: number;
    staffId: number;
    teamId: number;
    household: string;
    type: string;
    channel: string;
    name: string;
    summary: string;
    allegations: string[];
  }) => {
    const receivedOn = addDays(today, -c.daysAgo);
    const id = await repo.insertComplaint(trx, {
      received_on: receivedOn,
      channel: c.channel,
      procedure: 'statutory_children',
      matter_on: addDays(receivedOn, -14),
      late_reason: null,
      complainant_type: c.type,
      complainant_name: c.name,
      complainant_contact: 'Demo address, Ashford TN23 0ZZ',
      household: c.household,
      team_id: c.teamId,
      service_id: ids.service,
      summary: c.summary,
    });
    await repo.setReference(trx, id, `C-${receivedOn.slice(0, 4)}-${String(id).padStart(4, '0')}`);
    await repo.addStaff(trx, id, c.staffId, new Date(`${receivedOn}T12:00:00Z`));
    await repo.addAllegations(trx, id, c.allegations);
    return { id, receivedOn };
  };
  const first = await complaint({
    daysAgo: 45,
    staffId: ids.ben,
    teamId: ids.ashford,
    household: 'Hughes family',
    type: 'parent_carer',
    channel: 'letter',
    name: 'Demo Parent',
    summary: 'The social worker did not take account of the school’s concerns and was rude on the telephone.',
    allegations: ['pl_b', 'ca_e'],
  });
  await repo.addStage(trx, {
    complaint_id: first.id,
    stage: 1,
    started_on: first.receivedOn,
    responded_on: addDays(first.receivedOn, 12),
  });
  await repo.addStage(trx, {
    complaint_id: first.id,
    stage: 2,
    started_on: addDays(first.receivedOn, 16),
    investigating_officer: 'Sam Investigator (external)',
    independent_person: 'Jo Independent',
  });
  const second = await complaint({
    daysAgo: 18,
    staffId: ids.ben,
    teamId: ids.ashford,
    household: 'Osei family',
    type: 'family_member',
    channel: 'email',
    name: 'Demo Grandparent',
    summary: 'Records of a home visit are inaccurate.',
    allegations: ['pl_n'],
  });
  await repo.addStage(trx, { complaint_id: second.id, stage: 1, started_on: second.receivedOn });
  const third = await complaint({
    daysAgo: 2,
    staffId: ids.owen,
    teamId: ids.maidstone,
    household: 'Demo advocacy case',
    type: 'advocate',
    channel: 'online_form',
    name: 'Demo Advocate',
    summary: 'Information about the young person was shared with a relative without consent.',
    allegations: ['kc_disclosure'],
  });
  await repo.addStage(trx, { complaint_id: third.id, stage: 1, started_on: third.receivedOn });
}
