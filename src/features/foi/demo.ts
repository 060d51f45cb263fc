import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../../time/bank-holidays.ts';
import { foiCalendar } from '../../time/working-days.ts';
import { londonToday } from '../../time/london.ts';
import { deadlines, type ClockEvent } from './rules.ts';
import type { StatFilter } from './schema.ts';
import { insertDemoRequest } from './demo-repository.ts';

const socialWorkers = (years: number): StatFilter => ({
  period: { period: 'last_years', years },
  teamId: null,
  serviceId: null,
  jobRole: 'social_workers',
});

/**
 * Two demo FOI requests for Irene Cole: seed 003 as it really arrived (Saturday 4 February 2012,
 * FOI/12/0179, answered on Monday 5 March), and seed 000's staff-assaults questions received ten
 * working days ago, open, with statistics attached to the questions Harbour can now answer.
 */
export async function seedDemoFoi(trx: Transaction<DB>, ids: { irene: number }) {
  const cal = foiCalendar(BUNDLED_BANK_HOLIDAYS);
  const request = async (r: {
    reference: string;
    year: number;
    seq: number;
    title: string;
    name: string;
    contact: string;
    receivedOn: string;
    channel: string;
    status: string;
    events: ClockEvent[];
    questions: {
      text: string;
      outcome?: string;
      answer?: string;
      advice?: string;
      exemption?: string;
      statistic?: string;
      filter?: StatFilter;
    }[];
  }) => {
    const d = deadlines(r.receivedOn, r.events, cal, 'council');
    await insertDemoRequest(
      trx,
      {
        reference: r.reference,
        ref_year: r.year,
        ref_seq: r.seq,
        regime: 'foi',
        title: r.title,
        requester_name: r.name,
        requester_contact: r.contact,
        received_at: new Date(`${r.receivedOn}T10:00:00Z`),
        received_on: r.receivedOn,
        channel: r.channel,
        assignee_id: ids.irene,
        status: r.status,
        due_on: d.due,
        response_due_on: d.responseDue,
        responded_on: d.responded,
        requester_erased_at: null,
        closed_at: null,
        cost_estimate: null,
        created_by: null,
      },
      (requestId) =>
        r.questions.map((q, i) => ({
          request_id: requestId,
          position: i + 1,
          text: q.text,
          outcome: q.outcome ?? null,
          answer: q.answer ?? null,
          advice: q.advice ?? null,
          exemption: q.exemption ?? null,
          exemption_reasons: null,
          statistic: q.statistic ?? null,
          statistic_params: q.filter ? JSON.stringify(q.filter) : null,
          snapshot: null,
          snapshot_at: null,
        })),
      (requestId) =>
        r.events.map((e) => ({
          request_id: requestId,
          kind: e.kind,
          on_date: e.on,
          target_date: e.targetDate ?? null,
          notes: null,
          recorded_by: null,
        })),
    );
  };

  await request({
    reference: 'FOI/12/0179',
    year: 2012,
    seq: 179,
    title: 'Children’s social services, complaints of misconduct',
    name: 'Sheila Hersom',
    contact: 'Demo requester (seed 003)',
    receivedOn: '2012-02-04',
    channel: 'web',
    status: 'responded',
    events: [{ kind: 'response_sent', on: '2012-03-05' }],
    questions: [
      {
        text: 'Please can you supply statistics for the last 5 years where concerns or complaints have been raised on a social worker within your borough, with any action taken and outcomes?',
        outcome: 'provided',
        answer: 'Please see the table below.',
        statistic: 'complaints-about-staff',
        filter: socialWorkers(5),
      },
      {
        text: 'Have any of the social workers, over the last 5 years, had two or more concerns or complaints made against them from unrelated service users or staff?',
        outcome: 'provided',
        statistic: 'staff-with-repeat-complaints',
        filter: socialWorkers(5),
      },
    ],
  });

  // Ten working days ago (FOI calendar).
  let tenAgo = londonToday();
  for (let i = 0; i < 10; i++) {
    let d = new Date(`${tenAgo}T12:00:00Z`);
    do d = new Date(d.getTime() - 86_400_000);
    while (!cal.isWorkingDay(d.toISOString().slice(0, 10)));
    tenAgo = d.toISOString().slice(0, 10);
  }
  const year = Number(tenAgo.slice(0, 4));
  await request({
    reference: `FOI/${String(year).slice(-2)}/0974`,
    year,
    seq: 974,
    title: 'Staff assaults',
    name: 'Demo Chalmers',
    contact: 'Demo requester (seed 000)',
    receivedOn: tenAgo,
    channel: 'email',
    status: 'open',
    events: [],
    questions: [
      {
        text: 'How many social workers have been assaulted whilst working for the council in the last two years?',
        statistic: 'staff-assaulted',
        filter: socialWorkers(2),
      },
      {
        text: 'Of these how many were physical assaults? How many were verbal assaults? How many were sexual assaults?',
        statistic: 'assaults-by-type',
        filter: socialWorkers(2),
      },
      {
        text: 'How many were reported to the police? How many resulted in prosecutions? How many were successful prosecutions?',
        statistic: 'police-and-prosecutions',
        filter: socialWorkers(2),
      },
      {
        text: 'How many teachers have been assaulted?',
        outcome: 'not_held',
        advice:
          'The council does not employ teachers in maintained schools and academies: please ask the individual schools.',
      },
      { text: 'What actions were taken by the council?', statistic: 'actions-taken', filter: socialWorkers(2) },
    ],
  });
}
