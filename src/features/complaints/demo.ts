import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { addDays, londonToday } from '../../time/london.ts';

/**
 * A few demo complaints, dated relative to today: two about Ben Carter from unrelated households
 * (so the repeat-complaints pattern shows him), one at stage 2 and one past its stage 1 deadline; one
 * about Owen Jones just received.
 */
export async function seedDemoComplaints(trx: Transaction<DB>, ids: { ben: number; owen: number; ashford: number; maidstone: number; service: number }) {
  const today = londonToday();
  const complaint = async (c: { daysAgo: number; staffId: number; teamId: number; household: string; type: string; channel: string; name: string; summary: string; allegations: string[] }) => {
    const receivedOn = addDays(today, -c.daysAgo);
    const row = await trx.insertInto('complaints').values({
      received_on: receivedOn, channel: c.channel, procedure: 'statutory_children', matter_on: addDays(receivedOn, -14), late_reason: null,
      complainant_type: c.type, complainant_name: c.name, complainant_contact: 'Demo address, Ashford TN23 0ZZ', household: c.household,
      team_id: c.teamId, service_id: ids.service, summary: c.summary,
    }).returning('id').executeTakeFirstOrThrow();
    await trx.updateTable('complaints').set({ reference: `C-${receivedOn.slice(0, 4)}-${String(row.id).padStart(4, '0')}` }).where('id', '=', row.id).execute();
    await trx.insertInto('complaint_staff').values({ complaint_id: row.id, staff_id: c.staffId, notified_at: new Date(`${receivedOn}T12:00:00Z`) }).execute();
    await trx.insertInto('complaint_allegations').values(c.allegations.map((category) => ({ complaint_id: row.id, category, detail: null, finding: null }))).execute();
    return { id: row.id, receivedOn };
  };
  const first = await complaint({ daysAgo: 45, staffId: ids.ben, teamId: ids.ashford, household: 'Hughes family', type: 'parent_carer', channel: 'letter', name: 'Demo Parent',
    summary: 'The social worker did not take account of the school’s concerns and was rude on the telephone.', allegations: ['pl_b', 'ca_e'] });
  await trx.insertInto('complaint_stages').values({ complaint_id: first.id, stage: 1, started_on: first.receivedOn, responded_on: addDays(first.receivedOn, 12) }).execute();
  await trx.insertInto('complaint_stages').values({ complaint_id: first.id, stage: 2, started_on: addDays(first.receivedOn, 16), investigating_officer: 'Sam Investigator (external)', independent_person: 'Jo Independent' }).execute();
  const second = await complaint({ daysAgo: 18, staffId: ids.ben, teamId: ids.ashford, household: 'Osei family', type: 'family_member', channel: 'email', name: 'Demo Grandparent',
    summary: 'Records of a home visit are inaccurate.', allegations: ['pl_n'] });
  await trx.insertInto('complaint_stages').values({ complaint_id: second.id, stage: 1, started_on: second.receivedOn }).execute();
  const third = await complaint({ daysAgo: 2, staffId: ids.owen, teamId: ids.maidstone, household: 'Demo advocacy case', type: 'advocate', channel: 'online_form', name: 'Demo Advocate',
    summary: 'Information about the young person was shared with a relative without consent.', allegations: ['kc_disclosure'] });
  await trx.insertInto('complaint_stages').values({ complaint_id: third.id, stage: 1, started_on: third.receivedOn }).execute();
}
